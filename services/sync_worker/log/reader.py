"""Reading the integration log (R-LOG-2): filter by levels, table and what a line is about
(a record code or a work order number), 40 per page, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import LogLevel, LogTable
from shared.models.integration_setup import IntegrationLogEntry
from shared.work_order_reads import work_orders_numbered


async def _about(session: AsyncSession, tenant_id: int, q: str) -> ColumnElement[bool]:
    """Lines about `q`: a record code (`K00012`, `P123`) or a work order's number, both
    case-insensitive; a work order's lines carry its id, so its number is looked up."""
    needle = q.strip().lower()
    work_orders = await work_orders_numbered(session, tenant_id, needle)
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
