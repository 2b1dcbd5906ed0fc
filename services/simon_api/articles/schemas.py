from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from services.simon_api.fields import Code, EntityId, LongText
from shared.money import Money, render_money, render_quantity

VatRate = Annotated[
    Decimal,
    Field(ge=0, le=1, max_digits=6, decimal_places=4, description='A fraction: "0.21" is 21 %'),
    PlainSerializer(render_quantity, return_type=str, when_used="json"),
]


class ArticleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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
    vat_rate: VatRate | None = None
    article_group_id: EntityId | None = None


class ArticleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    description: Annotated[LongText, Field(min_length=1)] | None = None
    price: Money | None = None
    vat_rate: VatRate | None = None
    article_group_id: EntityId | None = None


# As stored: Rompslomp's articles keep up to six decimals, so the answer is not held to the
# input's four (a stored value must always be shown, never fail the response).
StoredPrice = Annotated[Decimal, PlainSerializer(render_money, return_type=str, when_used="json")]
StoredVatRate = Annotated[
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
    vat_rate: StoredVatRate | None
    vat_type_id: int | None
    article_group_id: int | None
    rompslomp_id: int | None
    source: Literal["rompslomp", "simon"]
    active: bool
