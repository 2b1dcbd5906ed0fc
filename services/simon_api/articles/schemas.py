from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from services.simon_api.fields import Code, EntityId, LongText, Patch
from shared.enums import RecordSource
from shared.money import Fraction, Money, render_money, render_quantity


class ArticleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "code": "KB15",
                    "description": "Koperen bocht 15 mm",
                    "price": "2.35",
                    "vat_rate": "0.21",
                }
            ]
        },
    )

    code: Code
    description: Annotated[LongText, Field(min_length=1)]
    price: Money
    vat_rate: Fraction | None = None
    article_group_id: EntityId | None = None


class ArticleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    code: Patch[Code] = None
    description: Patch[Annotated[LongText, Field(min_length=1)]] = None
    price: Patch[Money] = None
    vat_rate: Fraction | None = None
    article_group_id: EntityId | None = None


# As stored: Rompslomp's articles keep up to six decimals, so the answer is not held to the
# input's four (a stored value must always be shown, never fail the response).
StoredPrice = Annotated[Decimal, PlainSerializer(render_money, return_type=str, when_used="json")]
StoredFraction = Annotated[
    Decimal,
    Field(description='A fraction: "0.21" is 21 %'),
    PlainSerializer(render_quantity, return_type=str, when_used="json"),
]


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    description: str
    price: StoredPrice
    vat_rate: StoredFraction | None
    vat_type_id: int | None
    article_group_id: int | None
    rompslomp_id: int | None
    source: RecordSource
    active: bool
