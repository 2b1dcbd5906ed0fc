"""Work orders as the API shows them, rendered to JSON by PostgreSQL.

A page of 50 work orders with their time entries and materials is one query whose result
is the response body: no ORM objects, no per-row Python. The list is the busiest endpoint
(bench/api_list.py); the single-work-order endpoints use the same renderer, so every
response has one shape (`WorkOrderOut` documents it; a test validates against it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.pagination import PageParams, decode_cursor, encode_cursor

# Money: at least two decimals ("2.35", "12.50"); quantities exact without trailing zeros.
_MONEY = "CASE WHEN scale(trim_scale({0})) < 2 THEN round({0}, 2)::text ELSE trim_scale({0})::text END"
_QUANTITY = "trim_scale({0})::text"

_ROW = f"""
json_build_object(
  'id', w.id, 'number', w.number, 'status', w.status, 'customer_id', w.customer_id,
  'work_address_id', w.work_address_id, 'description', w.description,
  'assignee_id', w.assignee_id, 'planned_date', w.planned_date,
  'time_entries', coalesce((
      SELECT json_agg(json_build_object('id', t.id, 'kind', t.kind, 'minutes', t.minutes,
                                        'employee_id', t.employee_id, 'date', t.date)
                      ORDER BY t.id)
        FROM time_entries t WHERE t.work_order_id = w.id), '[]'::json),
  'materials', coalesce((
      SELECT json_agg(json_build_object('id', m.id, 'article_id', m.article_id,
                                        'quantity', {_QUANTITY.format("m.quantity")},
                                        'unit_price', {_MONEY.format("m.unit_price")})
                      ORDER BY m.id)
        FROM materials m WHERE m.work_order_id = w.id), '[]'::json),
  'completed_at', w.completed_at, 'archived_at', w.archived_at, 'created_at', w.created_at
)
"""

_ONE = text(f"SELECT {_ROW}::text FROM work_orders w WHERE w.id = :id AND w.tenant_id = :tenant_id")

_PAGE = f"""
WITH page AS (
  SELECT w.* FROM work_orders w
   WHERE w.tenant_id = :tenant_id AND w.id < :before {{filters}}
   ORDER BY w.id DESC
   LIMIT :limit_plus_one
), shown AS (
  SELECT * FROM page ORDER BY id DESC LIMIT :limit
)
SELECT coalesce((SELECT json_agg({_ROW} ORDER BY w.id DESC) FROM shown w), '[]'::json)::text,
       (SELECT count(*) FROM page) > :limit,
       (SELECT min(id) FROM shown)
"""
_FILTERS = {
    "status": "AND w.status = :status",
    "customer_id": "AND w.customer_id = :customer_id",
    "assignee_id": "AND w.assignee_id = :assignee_id",
}
_PAGE_STATEMENTS: dict[frozenset[str], Any] = {}


def _page_statement(filters: frozenset[str]) -> Any:
    statement = _PAGE_STATEMENTS.get(filters)
    if statement is None:
        clause = " ".join(_FILTERS[name] for name in sorted(filters))
        statement = _PAGE_STATEMENTS[filters] = text(_PAGE.format(filters=clause))
    return statement


async def render_one(session: AsyncSession, tenant_id: int, work_order_id: int) -> str | None:
    """One work order as JSON text; None when the tenant has no such work order."""
    body = await session.scalar(_ONE, {"id": work_order_id, "tenant_id": tenant_id})
    return None if body is None else str(body)


async def render_page(
    session: AsyncSession, tenant_id: int, params: PageParams, filters: dict[str, Any]
) -> str:
    """`{"items": [...], "next_cursor": ...}` as JSON text, newest first."""
    present = {name: value for name, value in filters.items() if value is not None}
    before = decode_cursor(params.cursor) if params.cursor else 2**63 - 1
    row = (
        await session.execute(
            _page_statement(frozenset(present)),
            {"tenant_id": tenant_id, "before": before, "limit": params.limit,
             "limit_plus_one": params.limit + 1, **present},
        )
    ).one()
    items, has_more, last_id = row
    cursor = f'"{encode_cursor(last_id)}"' if has_more else "null"
    return f'{{"items": {items}, "next_cursor": {cursor}}}'
