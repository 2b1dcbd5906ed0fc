"""Versioned event payloads that cross from simon_api to the sync worker (DESIGN D2).

`work_order.archived` v1 is a complete snapshot: the consumer never has to read the
domain tables to build an invoice, so later edits cannot change what was archived.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

WORK_ORDER_ARCHIVED = "work_order.archived"


class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True)


class CustomerSnapshot(_Snapshot):
    id: int
    rompslomp_id: int | None
    source: Literal["rompslomp", "simon"]
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
    kind: Literal["work", "travel"]
    minutes: int
    employee: EmployeeSnapshot | None
    date: dt.date | None


class ArticleSnapshot(_Snapshot):
    id: int
    rompslomp_id: int | None
    source: Literal["rompslomp", "simon"]
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
