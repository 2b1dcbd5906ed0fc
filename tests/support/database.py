"""Blocking set-up on the test PostgreSQL server: databases made and dropped outside a
transaction, each in a thread of its own (away from the test event loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

P = ParamSpec("P")
R = TypeVar("R")


def in_thread(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking set-up (which may call asyncio.run) away from the test event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin_execute(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    parsed = make_url(url)

    async def go() -> None:
        connection = await asyncpg.connect(
            user=parsed.username or "postgres",
            password=parsed.password,
            host=parsed.query.get("host") or parsed.host,
            port=parsed.port,
            database=parsed.database or "postgres",
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(go())
