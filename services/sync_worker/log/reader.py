"""Reading the integration log (R-LOG-2): filter by level and table, 40 per page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import IntegrationLogEntry, WorkOrder


async def page(
    session: AsyncSession,
    tenant_id: int,
    *,
    level: str | None,
    table: str | None,
    number: int,
    per_page: int,
) -> tuple[list[IntegrationLogEntry], int]:
    """One page, newest first, and the total number of matching entries."""
    conditions = [IntegrationLogEntry.tenant_id == tenant_id]
    if level is not None:
        conditions.append(IntegrationLogEntry.level == level)
    if table is not None:
        conditions.append(IntegrationLogEntry.table_name == table)
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
