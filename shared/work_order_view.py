"""A work order as the API shows it: `WorkOrderOut`, the one definition of its JSON.

simon_api documents its work-order bodies with `WorkOrderOut` and serves them from
`work_orders.api_view`, that JSON kept ready: the list is simon_api's busiest endpoint
(bench/api_list.py), and a page of 50 is then one index range scan returning text. The
column is written here, from `WorkOrderOut`, by every writer of a work order or of what
its body shows (time entries, materials, the signature; contact person and object
references the wipe clears), in the writer's own transaction: `refresh_views` after the
change. tests/simon_api/work_orders/test_work_order_view.py checks the bodies against `WorkOrderOut`
after each kind of write.

A change to `WorkOrderOut` that alters the JSON of existing work orders needs them
rewritten once: `simon work-orders refresh-views`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import BigInteger, any_, bindparam, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from shared.enums import TimeEntryKind, WorkOrderStatus
from shared.models.work_orders import Material, TimeEntry, WorkOrder, WorkOrderSignature
from shared.money import MoneyOut, QuantityOut


class TimeEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: TimeEntryKind
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
    status: WorkOrderStatus
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


# What each body is read from: the columns named like the fields, so a field added to a
# model is read without a second list to keep in step.
_PARTS = {"time_entries", "materials", "signature"}
_WORK_ORDER_COLUMNS = [
    getattr(WorkOrder, name) for name in WorkOrderOut.model_fields if name not in _PARTS
]
_TIME_ENTRY_COLUMNS = [getattr(TimeEntry, name) for name in TimeEntryOut.model_fields]
_MATERIAL_COLUMNS = [getattr(Material, name) for name in MaterialOut.model_fields]
_SIGNATURE_COLUMNS = [getattr(WorkOrderSignature, name) for name in SignatureSummary.model_fields]


# A render in one statement, built once (a statement memoises its cache key): each work
# order's row with its parts (time entries, materials, the signature) as arrays of records,
# decoded by the driver with their columns' types (three round trips fewer per write).
_IDS = bindparam("ids", type_=ARRAY(BigInteger))


def _part(model: Any, columns: Sequence[Any], order: Any, name: str) -> Any:
    rows = func.array_agg(aggregate_order_by(tuple_(*columns), order), type_=NullType())
    return select(rows).where(model.work_order_id == WorkOrder.id).scalar_subquery().label(name)


_VIEWS = select(
    *_WORK_ORDER_COLUMNS,
    _part(TimeEntry, _TIME_ENTRY_COLUMNS, TimeEntry.id, "time_entries"),
    _part(Material, _MATERIAL_COLUMNS, Material.id, "materials"),
    _part(WorkOrderSignature, _SIGNATURE_COLUMNS, WorkOrderSignature.work_order_id, "signature"),
).where(WorkOrder.id == any_(_IDS))
_TIME_ENTRY_FIELDS = list(TimeEntryOut.model_fields)
_MATERIAL_FIELDS = list(MaterialOut.model_fields)
_SIGNATURE_FIELDS = list(SignatureSummary.model_fields)


def _records(fields: list[str], rows: Sequence[Any] | None) -> list[dict[str, Any]]:
    return [dict(zip(fields, row, strict=True)) for row in rows or ()]


async def render_views(session: AsyncSession, work_order_ids: Collection[int]) -> dict[int, str]:
    """The JSON of these work orders as they stand in the session's transaction."""
    ids = sorted(set(work_order_ids))
    if not ids:
        return {}
    views = {}
    for row in (await session.execute(_VIEWS, {"ids": ids})).mappings():
        signature = _records(_SIGNATURE_FIELDS, row["signature"])
        body = WorkOrderOut.model_validate(
            {
                **row,
                "time_entries": _records(_TIME_ENTRY_FIELDS, row["time_entries"]),
                "materials": _records(_MATERIAL_FIELDS, row["materials"]),
                "signature": signature[0] if signature else None,
            }
        )
        views[row["id"]] = body.model_dump_json()
    return dict(sorted(views.items()))


# A plain UPDATE, not the ORM's: writing the view is no change of the work order, so its
# `updated_at` (the wipe's "last change") stays.
_STORE = text(
    "UPDATE work_orders AS w SET api_view = v.api_view "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:views AS text[])) AS v(id, api_view) "
    "WHERE w.id = v.id"
)


async def refresh_views(session: AsyncSession, work_order_ids: Collection[int]) -> None:
    """Write `api_view` of these work orders from their rows, in the caller's transaction:
    after the change (flushed), before the commit, holding the work orders' row locks (the
    writers take them with FOR UPDATE), so no concurrent change is rendered over."""
    views = await render_views(session, work_order_ids)
    if views:
        await session.execute(_STORE, {"ids": list(views), "views": list(views.values())})
        session.info.setdefault(_WRITTEN, {}).update(views)


_WRITTEN = "work_order_views_written"


def written_view(session: AsyncSession, work_order_id: int) -> str | None:
    """The view `refresh_views` last wrote for this work order in the session, if any: the
    same text a read of `api_view` would return in this transaction (the writer holds the
    work order's row lock), without that read."""
    written: dict[int, str] = session.info.get(_WRITTEN, {})
    return written.get(work_order_id)


# Work orders whose view names a contact person or object they no longer point at: the
# rows that ON DELETE SET NULL changed when those records were deleted under them.
_DETACHED = text(
    "SELECT id FROM work_orders WHERE tenant_id = :tenant_id "
    "AND (contact_person_id IS NULL OR object_id IS NULL) AND ("
    "(api_view::jsonb ->> 'contact_person_id')::bigint IS DISTINCT FROM contact_person_id "
    "OR (api_view::jsonb ->> 'object_id')::bigint IS DISTINCT FROM object_id)"
)


async def refresh_detached_views(session: AsyncSession, tenant_id: int) -> None:
    """After deleting a tenant's contact persons or objects (the wipe): the database set
    the work orders' references to NULL itself, so their views are written again here.
    Read after the deletes, in the same transaction, so no such work order is missed."""
    ids = list(await session.scalars(_DETACHED, {"tenant_id": tenant_id}))
    await refresh_views(session, ids)


# The next batch of a tenant's work orders, locked: a writer that changes one meanwhile
# either committed before (and is rendered here) or waits and writes its own view after.
_NEXT = text(
    "SELECT id FROM work_orders WHERE tenant_id = :tenant_id AND id > :after "
    "ORDER BY id LIMIT :batch FOR UPDATE"
)


async def refresh_views_after(
    session: AsyncSession, tenant_id: int, after: int, *, batch: int = 1000
) -> list[int]:
    """Write the views of the tenant's next `batch` work orders with an id above `after`;
    their ids (none: done). One transaction per batch keeps the locks short."""
    ids = list(
        await session.scalars(_NEXT, {"tenant_id": tenant_id, "after": after, "batch": batch})
    )
    await refresh_views(session, ids)
    return ids


async def refresh_tenant_views(session: AsyncSession, tenant_id: int) -> int:
    """Write every view of a tenant, in the caller's transaction; how many."""
    done, after = 0, 0
    while ids := await refresh_views_after(session, tenant_id, after):
        done, after = done + len(ids), ids[-1]
    return done
