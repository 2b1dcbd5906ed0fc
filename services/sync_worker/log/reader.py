"""Reading the integration log (R-LOG-2): filter by levels, table and what a line is about
(a record code or a work order number), 40 per page, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import LogLevel, LogTable
from shared.models import IntegrationLogEntry, WorkOrder


async def _about(session: AsyncSession, tenant_id: int, q: str) -> ColumnElement[bool]:
    """Lines about `q`: a record code (`K00012`, `P123`) or a work order's number, both
    case-insensitive; a work order's lines carry its id, so its number is looked up."""
    needle = q.strip().lower()
    work_orders = list(
        await session.scalars(
            select(WorkOrder.id).where(
                WorkOrder.tenant_id == tenant_id, func.lower(WorkOrder.number) == needle
            )
        )
    )
    condition = func.lower(IntegrationLogEntry.subject) == needle
    if work_orders:
        condition = or_(condition, IntegrationLogEntry.work_order_id.in_(work_orders))
    return condition


async def page(
    session: AsyncSession,
    tenant_id: int,
    *,
    levels: Sequence[LogLevel] = (),
    table: LogTable | None = None,
    q: str | None = None,
    number: int,
    per_page: int,
) -> tuple[list[IntegrationLogEntry], int]:
    """One page, newest first, and the total number of matching entries."""
    conditions = [IntegrationLogEntry.tenant_id == tenant_id]
    if levels:
        conditions.append(IntegrationLogEntry.level.in_(levels))
    if table is not None:
        conditions.append(IntegrationLogEntry.table_name == table)
    if q is not None and q.strip():
        conditions.append(await _about(session, tenant_id, q))
    total = await session.scalar(select(func.count()).where(*conditions)) or 0
    rows = await session.scalars(
        select(IntegrationLogEntry)
        .where(*conditions)
        .order_by(IntegrationLogEntry.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), int(total)


async def work_order_numbers(
    session: AsyncSession, tenant_id: int, ids: set[int]
) -> dict[int, str]:
    """The numbers of a page's work orders, so a frontend can show and link them (a wiped
    work order has none)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(WorkOrder.id, WorkOrder.number).where(
            WorkOrder.tenant_id == tenant_id, WorkOrder.id.in_(ids)
        )
    )
    return {int(row[0]): str(row[1]) for row in rows.all()}
