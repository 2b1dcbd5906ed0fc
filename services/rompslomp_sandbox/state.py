"""In-memory state of the sandbox: one implicit user, their companies and OAuth grants.

Every collection is a :class:`Table`: a dict by id plus a list of ids in insertion order.
Ids grow monotonically, so the list stays sorted; a page is a slice (O(page)) and a delete is
a bisect plus a list deletion (a memmove, fast even at 100k records).
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

FIRST_ID = 100_000_001

ALL_SCOPES = (
    "public",
    "manage:companies",
    "manage:contacts",
    "manage:sales_invoices",
    "manage:payments",
    "manage:products",
    "read:accounts",
    "manage:journal_entries",
    "read:me",
    "manage:hours",
    "manage:rides",
    "manage:expenses",
    "manage:quotations",
)
PRODUCT_SCOPES = "public manage:contacts manage:sales_invoices manage:products"

T = TypeVar("T")


class Table(Generic[T]):
    def __init__(self) -> None:
        self.records: dict[int, T] = {}
        self.order: list[int] = []
        self.version = 0  # bumped by every change, so derived lists know when to rebuild

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[T]:
        return iter(self.records.values())

    def get(self, record_id: int) -> T | None:
        return self.records.get(record_id)

    def add(self, record_id: int, record: T) -> None:
        self.version += 1
        self.records[record_id] = record
        if self.order and self.order[-1] > record_id:
            self.order.insert(bisect_left(self.order, record_id), record_id)
        else:
            self.order.append(record_id)

    def remove(self, record_id: int) -> T | None:
        record = self.records.pop(record_id, None)
        if record is not None:
            self.version += 1
            index = bisect_left(self.order, record_id)
            del self.order[index]
        return record

    def page(self, offset: int, limit: int) -> list[T]:
        return [self.records[i] for i in self.order[offset : offset + limit]]


@dataclass(slots=True)
class User:
    first_name: str = "Jan"
    last_name: str = "de Vries"
    email: str = "jan@devries-installatie.nl"


@dataclass(slots=True)
class VatType:
    id: int
    name: str
    friendly_name: str
    value: Decimal
    valid_until: date | None = None


@dataclass(slots=True)
class Contact:
    id: int
    is_individual: bool = False
    is_supplier: bool = False
    company_name: str | None = None
    contact_person_name: str | None = None
    contact_person_email_address: str | None = None
    address: str | None = None
    zipcode: str | None = None
    city: str | None = None
    government_identification_number: str | None = None
    country_code: str | None = "NL"
    kvk_number: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    contact_number: str | None = None
    free_1: str | None = None
    free_2: str | None = None
    free_3: str | None = None


@dataclass(slots=True)
class Product:
    id: int
    has_stock: bool = False
    number_sold: int = 0
    description: str | None = None
    extended_description: str | None = None
    price_per_unit: Decimal | None = None
    vat_type_id: int | None = None
    vat_rate: Decimal | None = None
    account_id: int | None = None
    account_path: str | None = None
    product_code: str | None = None


@dataclass(slots=True)
class InvoiceLine:
    id: int
    description: str | None = None
    extended_description: str | None = None
    price_per_unit: Decimal = Decimal("0")
    quantity: Decimal = Decimal("1")
    vat_type_id: int | None = None
    vat_rate: Decimal = Decimal("0")
    product_id: int | None = None
    account_id: int | None = None
    account_path: str | None = None


@dataclass(slots=True)
class SalesInvoice:
    id: int
    date: dt.date
    due_date: dt.date
    status: str = "concept"
    payment_method: str = "pay_transfer"
    custom_payment_instructions: str | None = None
    creates_pay_url_on_publish: bool = False
    sends_copy_by_email_on_publish: bool = False
    description: str | None = None
    contact_id: int | None = None
    invoice_number: str | None = None
    published_at: dt.date | None = None
    currency: str = "eur"
    currency_exchange_rate: Decimal = Decimal("1.0")
    template_id: int | None = None
    vat_number: str | None = None
    validates_vat_number: bool = True
    api_reference: str | None = None
    payment_reference: str | None = None
    sale_type: str | None = None
    distance_sale: bool = False
    cached_contact: dict[str, Any] | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    paid_amount: Decimal = Decimal("0")


@dataclass(slots=True)
class Company:
    id: int
    name: str
    owner_name: str | None = None
    address: str | None = None
    zipcode: str | None = None
    city: str | None = None
    country_code: str | None = "NL"
    kvk_number: str | None = None
    email: str | None = None
    website: str | None = None
    type: str | None = "bv"
    vat_liable: bool = True
    vat_number: str | None = None
    api_accessible: bool = True
    allowed_scopes: list[str] = field(default_factory=lambda: list(ALL_SCOPES))
    contacts: Table[Contact] = field(default_factory=Table)
    products: Table[Product] = field(default_factory=Table)
    vat_types: Table[VatType] = field(default_factory=Table)
    sales_invoices: Table[SalesInvoice] = field(default_factory=Table)
    # Normally one id per reference; a late commit (faults.py) skips the uniqueness check
    # as a racing Rails validation would, and may leave two.
    invoice_by_api_reference: dict[str, list[int]] = field(default_factory=dict)
    contact_by_number: dict[str, int] = field(default_factory=dict)
    next_contact_number: int = 1
    next_product_code: int = 1
    next_invoice_number: int = 1


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: str
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    redirect_uri_sent: bool = True
    used: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    grant_id: int
    scopes: frozenset[str]
    scope: str
    created_at: int
    expires_at: float
    expired: bool = False
    revoked: bool = False


@dataclass(slots=True)
class RefreshToken:
    token: str
    grant_id: int
    scope: str
    expires_in: int
    revoked: bool = False


@dataclass
class SandboxState:
    """Everything the sandbox knows; ``reset()`` brings it back to empty."""

    user: User = field(default_factory=User)
    companies: Table[Company] = field(default_factory=Table)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    revoked_grants: set[int] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(FIRST_ID))
    _grants: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def next_grant_id(self) -> int:
        return next(self._grants)

    def reset(self) -> None:
        self.user = User()
        self.companies = Table()
        self.codes.clear()
        self.access_tokens.clear()
        self.refresh_tokens.clear()
        self.revoked_grants.clear()
        self._ids = itertools.count(FIRST_ID)
        self._grants = itertools.count(1)
