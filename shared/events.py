"""Versioned event payloads that cross from simon_api to the sync worker (DESIGN D2).

`work_order.archived` v1 is a complete snapshot: the consumer never has to read the
domain tables to build an invoice, so later edits cannot change what was archived.
Fields added later (contact person, object, forms, signature) are optional with defaults,
so events written before them, still in the outbox, parse as they are.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import QuestionType, RecordSource, TimeEntryKind

WORK_ORDER_ARCHIVED = "work_order.archived"


class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True)


class CustomerSnapshot(_Snapshot):
    id: int
    rompslomp_id: int | None
    source: RecordSource
    active: bool
    number: str | None
    name: str
    address: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None
    email: str | None


class WorkAddressSnapshot(_Snapshot):
    id: int
    street: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None


class EmployeeSnapshot(_Snapshot):
    id: int
    name: str


class TimeEntrySnapshot(_Snapshot):
    id: int
    kind: TimeEntryKind
    minutes: int
    employee: EmployeeSnapshot | None
    date: dt.date | None


class ArticleSnapshot(_Snapshot):
    id: int
    rompslomp_id: int | None
    source: RecordSource
    active: bool
    code: str
    description: str
    price: Decimal
    vat_type_id: int | None
    vat_rate: Decimal | None


class MaterialSnapshot(_Snapshot):
    id: int
    article: ArticleSnapshot
    quantity: Decimal
    unit_price: Decimal


class ContactPersonSnapshot(_Snapshot):
    id: int
    name: str
    email: str | None = None
    phone: str | None = None
    function: str | None = None


class ObjectSnapshot(_Snapshot):
    """Installed equipment at the customer (a boiler, a heat pump …)."""

    id: int
    name: str
    brand: str | None = None
    model: str | None = None
    serial_number: str | None = None

    @property
    def title(self) -> str:
        """Name, brand and model as one would say it: `CV-ketel Remeha Tzerra 24`."""
        return " ".join(part for part in (self.name, self.brand, self.model) if part)


# An answer as stored: text, number (a decimal string), choice and date ("YYYY-MM-DD") are
# strings, yes_no a bool, multi_choice a list of strings.
AnswerValue = bool | str | list[str]


class FormQuestionSnapshot(_Snapshot):
    """One question of a filled form with its answer (None: unanswered)."""

    key: str
    label: str
    type: QuestionType
    required: bool = False
    on_invoice: bool = False
    answer: AnswerValue | None = None

    def answer_text(self) -> str | None:
        """The answer as a person reads it (Dutch): ja/nee, 31-12-2026, `a, b`."""
        value = self.answer
        if value is None or value == [] or value == "":
            return None
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, list):
            return ", ".join(value)
        if self.type == QuestionType.DATE:
            try:
                return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
            except ValueError:
                return value
        return value


class FormSnapshot(_Snapshot):
    id: int
    template_id: int
    template_version: int
    name: str
    questions: list[FormQuestionSnapshot] = Field(default_factory=list)


class SignatureSnapshot(_Snapshot):
    """Who signed and when; the image itself stays in simon_api (it can be 200 KB)."""

    name: str
    signed_at: dt.datetime


class WorkOrderArchivedV1(_Snapshot):
    """Payload of `work_order.archived`, version 1."""

    version: Literal[1] = 1
    tenant_id: int
    work_order_id: int
    number: str
    archive_seq: int  # 1 for the first archive, 2 after a reopen and a second archive …
    description: str
    customer: CustomerSnapshot | None
    work_address: WorkAddressSnapshot | None
    assignee: EmployeeSnapshot | None
    planned_date: dt.date | None
    completed_at: dt.datetime | None
    archived_at: dt.datetime
    time_entries: list[TimeEntrySnapshot]
    materials: list[MaterialSnapshot]
    # Added with issue 13; optional so that earlier v1 events still parse.
    contact_person: ContactPersonSnapshot | None = None
    object: ObjectSnapshot | None = None
    forms: list[FormSnapshot] = Field(default_factory=list)
    signature: SignatureSnapshot | None = None
