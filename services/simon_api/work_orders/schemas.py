from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from services.simon_api.fields import EntityId, LongText, Patch
from shared.ids import json_integer
from shared.money import Money, MoneyOut, Quantity, QuantityOut

Status = Literal["created", "planned", "completed", "archived"]
Kind = Literal["work", "travel"]
Minutes = Annotated[
    int,
    Field(gt=0, le=7 * 24 * 60, description="Whole minutes, more than 0"),
    BeforeValidator(json_integer),
]


class WorkOrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": 1,
                    "work_address_id": 1,
                    "contact_person_id": 1,
                    "object_id": 1,
                    "description": "Cv-ketel lekt, onderhoud uitvoeren",
                    "assignee_id": 2,
                    "planned_date": "2026-12-01",
                }
            ]
        },
    )

    customer_id: EntityId | None = None
    work_address_id: EntityId | None = None
    contact_person_id: EntityId | None = Field(
        default=None, description="One of the customer's contact persons"
    )
    object_id: EntityId | None = Field(default=None, description="One of the customer's objects")
    description: LongText = ""
    assignee_id: EntityId | None = None
    planned_date: dt.date | None = None


class WorkOrderUpdate(BaseModel):
    """Send only what changes; `null` clears a field."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    customer_id: EntityId | None = None
    work_address_id: EntityId | None = None
    contact_person_id: EntityId | None = None
    object_id: EntityId | None = None
    description: LongText | None = None
    assignee_id: EntityId | None = None
    planned_date: dt.date | None = None


class TimeEntryCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={"examples": [{"kind": "travel", "minutes": 15}]},
    )

    kind: Kind
    minutes: Minutes
    employee_id: EntityId | None = Field(default=None, description="Defaults to the caller")
    date: dt.date | None = Field(default=None, description="Defaults to today (Europe/Amsterdam)")


class TimeEntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    kind: Patch[Kind] = None
    minutes: Patch[Minutes] = None
    employee_id: EntityId | None = None
    date: dt.date | None = None


class MaterialCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={"examples": [{"article_id": 3, "quantity": "2", "unit_price": "2.35"}]},
    )

    article_id: EntityId
    quantity: Quantity
    unit_price: Money | None = Field(default=None, description="Defaults to the article's price")


class MaterialUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    article_id: Patch[EntityId] = None
    quantity: Patch[Quantity] = None
    unit_price: Money | None = None


class TimeEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Kind
    minutes: int
    employee_id: int | None
    date: dt.date | None


class MaterialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    quantity: QuantityOut
    unit_price: MoneyOut


class SignatureSummary(BaseModel):
    name: str = Field(examples=["J. Jansen"])
    signed_at: dt.datetime


class WorkOrderOut(BaseModel):
    id: int
    number: str = Field(examples=["2026-00042"])
    status: Status
    customer_id: int | None
    work_address_id: int | None
    contact_person_id: int | None
    object_id: int | None
    description: str
    assignee_id: int | None
    planned_date: dt.date | None
    time_entries: list[TimeEntryOut]
    materials: list[MaterialOut]
    signature: SignatureSummary | None = Field(
        description="Who signed and when; the image at `/work-orders/{id}/signature`"
    )
    completed_at: dt.datetime | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
