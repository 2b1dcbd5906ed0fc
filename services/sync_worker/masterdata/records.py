"""What the sync reads of Rompslomp's contacts and products: only the fields Simon keeps,
bounded by what Simon can store.

A page is validated against these models in one pass (in pydantic-core); a record outside
the bounds fails there and is skipped (skipped.py says why), never the page or the run.
Text has no bounds: Simon's columns have no length where Rompslomp has none, and NUL
characters are taken out before validation (rompslomp.client). The bounds that remain:
- ids fit PostgreSQL's BIGINT;
- a product code has at most 100 characters (Rompslomp's own limit);
- a price is not negative and below 10^10 (Simon's money: materials book it);
- a VAT rate is a fraction from 0 to 1 ("0.21" is 21 %).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.ids import MAX_ID

MAX_PRICE = Decimal("1e10")  # exclusive: ten integer digits

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Reference = Annotated[int, Field(ge=0, le=MAX_ID)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
ProductCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Price = Annotated[Decimal, Field(ge=0, lt=MAX_PRICE, allow_inf_nan=False)]
VatRate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class Record(BaseModel):
    # Fields Simon does not keep are not even built; a new Rompslomp field changes nothing.
    model_config = ConfigDict(extra="ignore")


class ContactRecord(Record):
    id: Id
    is_supplier: bool | None = None
    name: Text | None = None
    company_name: Text | None = None
    contact_person_name: Text | None = None
    contact_person_email_address: Text | None = None
    address: Text | None = None
    zipcode: Text | None = None
    city: Text | None = None
    country_code: Text | None = None
    phone: Text | None = None
    contact_number: Text | None = None


class ProductLineRecord(Record):
    description: Text | None = None
    price_per_unit: Price | None = None
    vat_rate: VatRate | None = None
    vat_type_id: Reference | None = None
    product_code: ProductCode | None = None


class ProductRecord(Record):
    id: Id
    invoice_line: ProductLineRecord | None = None
