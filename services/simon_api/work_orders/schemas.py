"""Work-order request bodies. The work order as answered (`WorkOrderOut`, its time entries
and materials) is defined in shared/work_order_view.py, which also writes its stored JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from services.simon_api.fields import EntityId, LongText, Patch
from shared.enums import TimeEntryKind
from shared.ids import json_integer
from shared.money import Money, Quantity

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

    kind: TimeEntryKind
    minutes: Minutes
    employee_id: EntityId | None = Field(default=None, description="Defaults to the caller")
    date: dt.date | None = Field(default=None, description="Defaults to today (Europe/Amsterdam)")


class TimeEntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    kind: Patch[TimeEntryKind] = None
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
