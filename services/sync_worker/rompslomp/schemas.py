"""Rompslomp resources as pydantic models (field names as in Rompslomp's Swagger spec).

Read models ignore nothing and reject nothing: unknown fields are kept (``extra="allow"``)
so a new Rompslomp field never breaks a sync. Enumerations are plain strings for the same
reason. Money, rates and quantities are ``Decimal`` (Rompslomp sends decimal strings).

Write models (``*Create``) forbid unknown fields, because Rompslomp rejects unpermitted
parameters; dump them with ``to_payload()``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RompslompModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class AccessControl(RompslompModel):
    api_accessible: bool | None = None
    allowed_scopes: list[str] = Field(default_factory=list)


class Company(RompslompModel):
    id: int
    name: str | None = None
    owner_name: str | None = None
    address: str | None = None
    zipcode: str | None = None
    city: str | None = None
    country_code: str | None = None
    kvk_number: str | None = None
    email: str | None = None
    website: str | None = None
    type: str | None = None
    vat_liable: bool | None = None
    vat_number: str | None = None
    access_control: AccessControl | None = None

    @property
    def api_accessible(self) -> bool:
        return bool(self.access_control and self.access_control.api_accessible)

    def allows(self, *scopes: str) -> bool:
        allowed = set(self.access_control.allowed_scopes) if self.access_control else set()
        return self.api_accessible and set(scopes) <= allowed


class Me(RompslompModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Contact(RompslompModel):
    id: int
    is_individual: bool | None = None
    is_supplier: bool | None = None
    name: str | None = None
    company_name: str | None = None
    contact_person_name: str | None = None
    contact_person_email_address: str | None = None
    address: str | None = None
    zipcode: str | None = None
    city: str | None = None
    government_identification_number: str | None = None
    country_code: str | None = None
    kvk_number: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    contact_number: str | None = None
    free_1: str | None = None
    free_2: str | None = None
    free_3: str | None = None


class ProductInvoiceLine(RompslompModel):
    id: int | None = None
    description: str | None = None
    extended_description: str | None = None
    price_per_unit: Decimal | None = None
    price_with_vat: Decimal | None = None
    price_without_vat: Decimal | None = None
    vat_amount: Decimal | None = None
    vat_rate: Decimal | None = None
    vat_type_id: int | None = None
    quantity: Decimal | None = None
    product_id: int | None = None
    account_id: int | None = None
    account_path: str | None = None
    product_code: str | None = None


class Product(RompslompModel):
    id: int
    number_sold: int | None = None
    has_stock: bool | None = None
    invoice_line: ProductInvoiceLine | None = None

    @property
    def product_code(self) -> str | None:
        return self.invoice_line.product_code if self.invoice_line else None


class VatType(RompslompModel):
    id: int
    name: str | None = None
    friendly_name: str | None = None
    value: Decimal | None = None


class CachedContact(RompslompModel):
    name: str | None = None
    contact_person_name: str | None = None
    address: str | None = None
    zipcode: str | None = None
    city: str | None = None
    country_code: str | None = None
    contact_person_email_address: str | None = None
    contact_number: str | None = None


class SalesInvoiceLine(RompslompModel):
    id: int | None = None
    description: str | None = None
    extended_description: str | None = None
    price_per_unit: Decimal | None = None
    price_with_vat: Decimal | None = None
    price_without_vat: Decimal | None = None
    vat_amount: Decimal | None = None
    vat_rate: Decimal | None = None
    vat_type_id: int | None = None
    quantity: Decimal | None = None
    product_id: int | None = None
    account_id: int | None = None
    account_path: str | None = None


class SalesInvoice(RompslompModel):
    id: int
    date: dt.date | None = None
    due_date: dt.date | None = None
    payment_method: str | None = None
    description: str | None = None
    status: str | None = None
    price_without_vat: Decimal | None = None
    price_with_vat: Decimal | None = None
    vat_amount: Decimal | None = None
    contact_id: int | None = None
    invoice_number: str | None = None
    published_at: dt.date | None = None
    payment_status: str | None = None
    open_amount: Decimal | None = None
    currency: str | None = None
    currency_exchange_rate: Decimal | None = None
    template_id: int | None = None
    vat_number: str | None = None
    api_reference: str | None = None
    payment_reference: str | None = None
    sale_type: str | None = None
    distance_sale: bool | None = None
    cached_contact: CachedContact | None = None
    invoice_lines: list[SalesInvoiceLine] = Field(default_factory=list)


# -- write models ----------------------------------------------------------------------


class WriteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict: Decimals as strings, unset/None fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SalesInvoiceLineCreate(WriteModel):
    description: str = Field(max_length=255)
    extended_description: str | None = None
    price_per_unit: Decimal
    quantity: Decimal = Decimal("1.0")
    vat_type_id: int | None = None
    product_id: int | None = None
    account_id: int | None = None
    account_path: str | None = None


class SalesInvoiceCreate(WriteModel):
    """A sales invoice to create; a concept unless ``publish`` is set."""

    contact_id: int
    api_reference: str | None = None
    date: dt.date | None = None
    due_date: dt.date | None = None
    description: str | None = None
    payment_method: str | None = None
    payment_reference: str | None = None
    template_id: int | None = None
    vat_number: str | None = None
    invoice_lines: list[SalesInvoiceLineCreate] = Field(default_factory=list)
    publish: bool | None = Field(default=None, alias="_publish")
