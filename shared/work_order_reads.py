"""What sync_worker reads of Simon's work orders, in one place: it may not use the domain
models itself (import-linter), so its lists, its log and the invoice preview ask here."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.events import WorkOrderArchivedV1
from shared.models.work_orders import WorkOrder
from shared.snapshot import work_order_snapshot


def work_order_number(work_order_id: InstrumentedAttribute[int]) -> ScalarSelect[Any]:
    """SQL: the number of the work order `work_order_id` points at (a column of the
    caller's query, e.g. `InvoiceExport.work_order_id`); NULL once it is wiped."""
    return select(WorkOrder.number).where(WorkOrder.id == work_order_id).scalar_subquery()


async def work_order_numbers(
    session: AsyncSession, tenant_id: int, ids: Collection[int]
) -> dict[int, str]:
    """The numbers of these work orders (a wiped one has none)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(WorkOrder.id, WorkOrder.number).where(
            WorkOrder.tenant_id == tenant_id, WorkOrder.id.in_(ids)
        )
    )
    return {int(row[0]): str(row[1]) for row in rows.all()}


async def work_orders_numbered(session: AsyncSession, tenant_id: int, number: str) -> list[int]:
    """The ids of the tenant's work orders with this number, case-insensitive."""
    rows = await session.scalars(
        select(WorkOrder.id).where(
            WorkOrder.tenant_id == tenant_id, func.lower(WorkOrder.number) == number.lower()
        )
    )
    return list(rows)


async def current_snapshot(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> WorkOrderArchivedV1 | None:
    """The work order as an archive would carry it now (shared/snapshot.py); None when the
    tenant has no such work order."""
    work_order = await session.scalar(
        select(WorkOrder).where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
    )
    return None if work_order is None else await work_order_snapshot(session, work_order)
