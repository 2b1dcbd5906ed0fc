"""Work orders as the API shows them.

Each work order's JSON (`WorkOrderOut`, with its time entries, materials and signature) is
kept in `work_orders.api_view`, written from that one definition by every writer
(shared/work_order_view.py). A page of 50 is then one index range scan that returns ready
text: the list is simon_api's busiest endpoint (bench/api_list.py). Its everyday request
(fast_list.py) checks the key in the same statement as it reads the page, one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.simon_api.pagination import MAX_ID, PageParams, decode_cursor, page_of
from shared.auth import PRINCIPAL_COLUMNS, PRINCIPAL_CTE, Principal, principal_of
from shared.reader import Reader

_ONE = "SELECT api_view FROM work_orders WHERE id = $1 AND tenant_id = $2"


async def render_one(reader: Reader, tenant_id: int, work_order_id: int) -> str | None:
    """One work order as JSON text; None when the tenant has no such work order."""
    row = await reader.fetchrow(_ONE, work_order_id, tenant_id)
    return None if row is None else str(row[0])


FILTERS = ("status", "customer_id", "assignee_id")
# One page, newest first, one row more than asked (is there a next page?). The tenant is
# `$1` or the authenticated principal's; $2 the cursor's id, $3 the row count, $4… filters.
_PAGE = (
    "SELECT id, api_view FROM work_orders WHERE tenant_id = {tenant} AND id < $2{filters} "
    "ORDER BY id DESC LIMIT $3"
)


def _page_query(tenant: str, names: Sequence[str]) -> str:
    clause = "".join(f" AND {name} = ${n}" for n, name in enumerate(names, start=4))
    return _PAGE.format(tenant=tenant, filters=clause)


def _statements(names: Sequence[str]) -> tuple[str, str]:
    """The page scoped to a tenant id, and the page of the key's tenant with the key check
    in the same statement (no row when the key is refused, one row of NULLs when the page
    is empty)."""
    scoped = _page_query("$1", names)
    page = _page_query("principal.tenant_id", names)
    authenticated = (
        f"{PRINCIPAL_CTE} SELECT {PRINCIPAL_COLUMNS}, page.id, page.api_view "  # noqa: S608 - constant SQL, no input
        f"FROM principal LEFT JOIN LATERAL ({page}) page ON true"
    )
    return scoped, authenticated


# Every combination of filters, built once: the SQL text is the prepared statement's key.
_QUERIES = {
    present: _statements(present)
    for mask in range(1 << len(FILTERS))
    for present in [tuple(name for bit, name in enumerate(FILTERS) if mask >> bit & 1)]
}


def _present(filters: dict[str, Any]) -> dict[str, Any]:
    return {name: filters[name] for name in FILTERS if filters.get(name) is not None}


def _page_body(rows: list[tuple[int, str]], params: PageParams) -> str:
    """`{"items": [...], "next_cursor": ...}` from (id, api_view) rows, newest first."""
    shown, cursor = page_of(rows, params, lambda row: row[0])
    views = ",".join(row[1] for row in shown)
    next_cursor = f'"{cursor}"' if cursor else "null"
    return f'{{"items": [{views}], "next_cursor": {next_cursor}}}'


async def render_page(
    reader: Reader, tenant_id: int, params: PageParams, filters: dict[str, Any]
) -> str:
    """`{"items": [...], "next_cursor": ...}` as JSON text, newest first."""
    present = _present(filters)
    before = decode_cursor(params.cursor) if params.cursor else MAX_ID
    rows = await reader.fetch(
        _QUERIES[tuple(present)][0], tenant_id, before, params.limit + 1, *present.values()
    )
    return _page_body([(row[0], row[1]) for row in rows], params)


async def render_authenticated_page(
    reader: Reader, key_hash: str, params: PageParams, before: int, filters: dict[str, Any]
) -> tuple[Principal, str] | None:
    """The page of the tenant of the key with this hash, checked in the same statement
    (shared/auth.py's rule: revoked keys and deactivated employees find nothing); None when
    the key is refused. `before`: the id the cursor names (MAX_ID for the first page)."""
    present = _present(filters)
    rows = await reader.fetch(
        _QUERIES[tuple(present)][1], key_hash, before, params.limit + 1, *present.values()
    )
    if not rows:
        return None
    principal = await principal_of(reader, rows[0])
    # A lateral join's rows come in the page's order in practice, but SQL promises no order
    # without an ORDER BY on the outer query; sorting here costs next to nothing on
    # already ordered rows (one pass), a Sort node in PostgreSQL copies the page.
    items = sorted(((row[5], row[6]) for row in rows if row[5] is not None), reverse=True)
    return principal, _page_body(items, params)
