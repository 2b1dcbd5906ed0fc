"""Work orders as the API shows them.

PostgreSQL keeps each work order's JSON (with its time entries and materials) in
`work_orders.api_view`, through triggers (see migration `20261127_work_order_api_view`).
A page of 50 is then one index range scan that returns ready text: the list is simon_api's
busiest endpoint (bench/api_list.py). `WorkOrderOut` documents the shape; a test validates
the rendered JSON against it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TextClause, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.pagination import MAX_ID, PageParams, decode_cursor, page_of
from shared.models import WorkOrder


async def render_one(session: AsyncSession, tenant_id: int, work_order_id: int) -> str | None:
    """One work order as JSON text; None when the tenant has no such work order."""
    body = await session.scalar(
        select(WorkOrder.api_view).where(
            WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id
        )
    )
    return None if body is None else str(body)


_PAGE = (
    "SELECT id, api_view FROM work_orders WHERE tenant_id = :tenant_id AND id < :before {} "
    "ORDER BY id DESC LIMIT :limit"
)
_FILTERS = {
    "status": "AND status = :status",
    "customer_id": "AND customer_id = :customer_id",
    "assignee_id": "AND assignee_id = :assignee_id",
}
_PAGE_STATEMENTS: dict[tuple[str, ...], TextClause] = {}


def _page_statement(filters: tuple[str, ...]) -> TextClause:
    """One prepared Core statement per combination of filters, built on first use."""
    statement = _PAGE_STATEMENTS.get(filters)
    if statement is None:
        clause = " ".join(_FILTERS[name] for name in filters)
        statement = _PAGE_STATEMENTS[filters] = text(_PAGE.format(clause))
    return statement


async def render_page(
    session: AsyncSession, tenant_id: int, params: PageParams, filters: dict[str, Any]
) -> str:
    """`{"items": [...], "next_cursor": ...}` as JSON text, newest first."""
    present = {name: value for name, value in sorted(filters.items()) if value is not None}
    before = decode_cursor(params.cursor) if params.cursor else MAX_ID
    connection = await session.connection()
    rows = (
        await connection.execute(
            _page_statement(tuple(present)),
            {"tenant_id": tenant_id, "before": before, "limit": params.limit + 1, **present},
        )
    ).all()
    shown, cursor = page_of(list(rows), params, lambda row: row[0])
    items = ",".join(row[1] for row in shown)
    next_cursor = f'"{cursor}"' if cursor else "null"
    return f'{{"items": [{items}], "next_cursor": {next_cursor}}}'
