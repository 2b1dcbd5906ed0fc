"""Work orders as the API shows them.

Each work order's JSON (`WorkOrderOut`, with its time entries, materials and signature) is
kept in `work_orders.api_view`, written from that one definition by every writer
(shared/work_order_view.py). A page of 50 is then one index range scan that returns ready
text: the list is simon_api's busiest endpoint (bench/api_list.py).
"""

from __future__ import annotations

from typing import Any

from services.simon_api.pagination import MAX_ID, PageParams, decode_cursor, page_of
from shared.reader import Reader

_ONE = "SELECT api_view FROM work_orders WHERE id = $1 AND tenant_id = $2"


async def render_one(reader: Reader, tenant_id: int, work_order_id: int) -> str | None:
    """One work order as JSON text; None when the tenant has no such work order."""
    row = await reader.fetchrow(_ONE, work_order_id, tenant_id)
    return None if row is None else str(row[0])


_PAGE = (
    "SELECT id, api_view FROM work_orders WHERE tenant_id = $1 AND id < $2 {} "
    "ORDER BY id DESC LIMIT $3"
)
FILTERS = ("status", "customer_id", "assignee_id")


def _page_query(names: tuple[str, ...]) -> str:
    clause = " ".join(f"AND {name} = ${n}" for n, name in enumerate(names, start=4))
    return _PAGE.format(clause)


async def render_page(
    reader: Reader, tenant_id: int, params: PageParams, filters: dict[str, Any]
) -> str:
    """`{"items": [...], "next_cursor": ...}` as JSON text, newest first."""
    present = {name: filters[name] for name in FILTERS if filters.get(name) is not None}
    before = decode_cursor(params.cursor) if params.cursor else MAX_ID
    rows = await reader.fetch(
        _page_query(tuple(present)), tenant_id, before, params.limit + 1, *present.values()
    )
    shown, cursor = page_of(list(rows), params, lambda row: row[0])
    items = ",".join(row[1] for row in shown)
    next_cursor = f'"{cursor}"' if cursor else "null"
    return f'{{"items": [{items}], "next_cursor": {next_cursor}}}'
