"""Cursor pagination: `?limit=&cursor=` → `{items, next_cursor}` (API.md Conventions).

The cursor is the opaque, URL-safe form of the last id of the page; pages are keyset
queries on `(tenant_id, id)`, so page 2,000 costs what page 1 costs.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from shared.cursor import decode_cursor, encode_cursor
from shared.ids import MAX_ID

T = TypeVar("T")
__all__ = [
    "DEFAULT_LIMIT",
    "MAX_ID",
    "MAX_LIMIT",
    "Page",
    "PageParams",
    "decode_cursor",
    "encode_cursor",
    "keyset",
    "page_of",
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class PageParams(BaseModel):
    limit: int
    cursor: str | None


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 64
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="From `next_cursor`.",
    ),
]


async def page_params(limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


def keyset(
    statement: Select[Any],
    id_column: InstrumentedAttribute[int],
    params: PageParams,
    *,
    newest_first: bool = False,
) -> Select[Any]:
    """Apply the cursor and fetch one row more than the page, to know if there is a next."""
    if params.cursor is not None:
        after = decode_cursor(params.cursor)
        statement = statement.where(id_column < after if newest_first else id_column > after)
    order = id_column.desc() if newest_first else id_column.asc()
    return statement.order_by(order).limit(params.limit + 1)


def page_of(rows: list[Any], params: PageParams, last_id: Any) -> tuple[list[Any], str | None]:
    """Cut the extra row; the cursor points after the last row shown."""
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        return rows, encode_cursor(last_id(rows[-1]))
    return rows, None
