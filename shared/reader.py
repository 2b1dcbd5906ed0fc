"""Reads on the hot path (authentication, work order pages) as plain SQL with `$n` params.

`PoolReader` runs them on a raw asyncpg pool: bench/api_list.py measured SQLAlchemy's
session and statement layers at ~2 ms of CPU per request there, more than the queries.
`SessionReader` runs the same SQL in a SQLAlchemy session (tests use it to stay inside
their rolled-back transaction; tools use it where they already hold a session).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import CONNECT_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS, asyncpg_connect_args


class Reader(Protocol):
    async def fetch(self, query: str, *args: Any) -> Sequence[Sequence[Any]]: ...

    async def fetchrow(self, query: str, *args: Any) -> Sequence[Any] | None: ...


# A pooled connection that the server closed (a restart, an idle kill) fails its next
# query with one of these; the read is tried once more on a fresh connection, so the first
# requests after a database restart succeed. asyncpg notices most closed sockets before the
# query (and reconnects on acquire) at no cost; the retry covers the rest, also at no cost
# until it happens. InternalClientError is what asyncpg raises when the server's parting
# FATAL message has arrived but the socket's end not yet (it then refuses to start the
# query, or "cannot switch to state 12" mid-query); two times in three when the backend
# is terminated just before the query.
# Every reader query is a single statement that is harmless to repeat: SELECTs, and the
# once-a-minute touch of a key's `last_used_at`.
CONNECTION_LOST = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,
    asyncpg.PostgresConnectionError,
)


class PoolReader:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def fetch(self, query: str, *args: Any) -> Sequence[Sequence[Any]]:
        try:
            rows: list[Sequence[Any]] = await self.pool.fetch(query, *args)
        except CONNECTION_LOST:
            rows = await self.pool.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Sequence[Any] | None:
        try:
            row: Sequence[Any] | None = await self.pool.fetchrow(query, *args)
        except CONNECTION_LOST:
            row = await self.pool.fetchrow(query, *args)
        return row

    async def close(self) -> None:
        await self.pool.close()


class SessionReader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def fetch(self, query: str, *args: Any) -> Sequence[Sequence[Any]]:
        connection = await self.session.connection()
        result = await connection.exec_driver_sql(query, args)
        return [tuple(row) for row in result.all()]

    async def fetchrow(self, query: str, *args: Any) -> Sequence[Any] | None:
        rows = await self.fetch(query, *args)
        return rows[0] if rows else None


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The reader runs single SELECTs and changes no session state, so the default reset
    on release (`RESET ALL; UNLISTEN *; …`, a round trip per query) has nothing to undo.
    asyncpg still rolls back any open transaction itself."""


async def create_pool_reader(
    database_url: str,
    *,
    size: int = 10,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float | None = STATEMENT_TIMEOUT_SECONDS,
) -> PoolReader:
    """The pool connects lazily (min_size 0), so a service starts while the database is
    away and answers 503 until it is back."""
    url = make_url(database_url)
    connect_args = asyncpg_connect_args(
        connect_timeout=connect_timeout, statement_timeout=statement_timeout
    )
    # asyncpg prepares every statement once per connection; PostgreSQL then plans each
    # execution anew whenever the generic plan looks dearer than the custom ones, which it
    # always does for `LIMIT $n` (it guesses a tenth of the table). The reader's statements
    # are a handful of index look-ups and ranges whose best plan is the same for every
    # value, so the planning is pure cost (bench/api_list.py: a third of PostgreSQL's
    # CPU per page).
    connect_args["server_settings"] = {
        **connect_args.get("server_settings", {}),
        "plan_cache_mode": "force_generic_plan",
    }
    pool = await asyncpg.create_pool(
        user=url.username,
        password=url.password,
        host=url.query.get("host") or url.host,
        port=url.port,
        database=url.database,
        min_size=0,
        max_size=size,
        reset=_nothing_to_reset,
        **connect_args,
    )
    return PoolReader(pool)
