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


class Reader(Protocol):
    async def fetch(self, query: str, *args: Any) -> Sequence[Sequence[Any]]: ...

    async def fetchrow(self, query: str, *args: Any) -> Sequence[Any] | None: ...


class PoolReader:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def fetch(self, query: str, *args: Any) -> Sequence[Sequence[Any]]:
        rows: list[Sequence[Any]] = await self.pool.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Sequence[Any] | None:
        row: Sequence[Any] | None = await self.pool.fetchrow(query, *args)
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


async def create_pool_reader(database_url: str, *, size: int = 10) -> PoolReader:
    url = make_url(database_url)
    pool = await asyncpg.create_pool(
        user=url.username,
        password=url.password,
        host=url.query.get("host") or url.host,
        port=url.port,
        database=url.database,
        min_size=1,
        max_size=size,
        reset=_nothing_to_reset,
    )
    return PoolReader(pool)
