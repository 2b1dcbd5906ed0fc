"""What the sync reads of Rompslomp's contacts and products: only the fields Simon keeps,
bounded by what Simon can store.

A page is validated against these shapes in one pass (in pydantic-core, into plain dicts:
the cheapest result to build and read); a record outside the bounds fails there and is
skipped (skipped.py says why), never the page or the run. Text has no bounds: Simon's
columns have no length where Rompslomp has none, and NUL characters are taken out before
validation (rompslomp.client). The bounds that remain:
- ids fit PostgreSQL's BIGINT;
- a product code has at most 100 characters (Rompslomp's own limit);
- a price is not negative and below 10^10 (Simon's money: materials book it);
- a VAT rate is a fraction from 0 to 1 ("0.21" is 21 %).
Fields Rompslomp adds later are ignored, so a new field never breaks a sync.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Required

from pydantic import Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from shared.ids import MAX_ID

MAX_PRICE = Decimal("1e10")  # exclusive: ten integer digits

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Reference = Annotated[int, Field(ge=0, le=MAX_ID)]
ProductCode = Annotated[str, Field(max_length=100)]
Price = Annotated[Decimal, Field(ge=0, lt=MAX_PRICE, allow_inf_nan=False)]
VatRate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class ContactRecord(TypedDict, total=False):
    id: Required[Id]
    is_supplier: bool | None
    name: str | None
    company_name: str | None
    contact_person_name: str | None
    contact_person_email_address: str | None
    address: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None
    phone: str | None
    contact_number: str | None


class ProductLineRecord(TypedDict, total=False):
    description: str | None
    price_per_unit: Price | None
    vat_rate: VatRate | None
    vat_type_id: Reference | None
    product_code: ProductCode | None


class ProductRecord(TypedDict, total=False):
    id: Required[Id]
    invoice_line: ProductLineRecord | None
