"""Declarative base with a naming convention, and the async engine factory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.util.concurrency import await_

log = structlog.get_logger("shared.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def async_url(url: str) -> str:
    """`postgresql://…` → `postgresql+asyncpg://…` (other drivers are left alone)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


# An unreachable database must fail a request within seconds, not hang it (asyncpg waits
# 60 s to connect by default). The statement timeout bounds a query stuck on a lock; the
# client-side command timeout a few seconds beyond it also bounds a server that stopped
# answering without closing the socket.
CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 30.0


def asyncpg_connect_args(
    *, connect_timeout: float, statement_timeout: float | None
) -> dict[str, Any]:
    """asyncpg.connect() keywords for both our pools (SQLAlchemy's and the raw reader)."""
    args: dict[str, Any] = {"timeout": connect_timeout}
    if statement_timeout:
        args["command_timeout"] = statement_timeout + 5.0
        args["server_settings"] = {"statement_timeout": str(int(statement_timeout * 1000))}
    return args


def _ping(dbapi_connection: Any) -> bool:
    """The checkout's ping in one round trip (an empty statement).

    SQLAlchemy's asyncpg ping wraps it in BEGIN … ROLLBACK (for pgbouncer's transaction
    mode, which we do not use): three round trips before every transaction, a fifth of an
    export's database traffic at 60 archives/s. Failures take SQLAlchemy's own path: the
    error is translated as its ping does, a dead connection is replaced."""
    try:
        await_(dbapi_connection._connection.fetchrow(";"))
    except Exception as error:
        dbapi_connection._handle_exception(error)
    return True


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float | None = STATEMENT_TIMEOUT_SECONDS,
) -> AsyncEngine:
    """The engine of a service or tool. `statement_timeout=None` (migrations) lets a
    statement run as long as it needs. Pooled connections are pinged on checkout: after a
    database restart every pooled connection is dead, and without the ping the first
    request on each would fail (`_ping`: one round trip)."""
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=10,
        pool_timeout=10,
        pool_pre_ping=True,
        connect_args=asyncpg_connect_args(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout
        ),
    )
    dialect = engine.sync_engine.dialect
    if dialect.driver == "asyncpg":
        dialect.do_ping = _ping  # type: ignore[method-assign]
    return engine


# What opens a short transaction of its own: a sessionmaker, or a test's stand-in that hands
# out its rolled-back session.
SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def warm_up(
    sessions: async_sessionmaker[AsyncSession],
    size: int,
    statements: Sequence[tuple[Any, dict[str, Any]]] = (),
) -> None:
    """At a process's start: open `size` pooled connections at once and run `statements`
    (reads that find nothing) on each, so the first requests do not pay for the connects,
    the ORM's mapper configuration, the statements' compilation and each connection's
    prepare. A database that cannot be reached is no reason not to start: logged, and the
    pool fills on demand as before."""

    async def one() -> None:
        async with sessions() as session:
            for statement, params in statements:
                await session.execute(statement, params)
            await session.rollback()

    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            failures = [
                result
                for result in await asyncio.gather(
                    *(one() for _ in range(size)), return_exceptions=True
                )
                if isinstance(result, BaseException)
            ]
    except TimeoutError as exc:
        failures = [exc]
    if failures:
        log.warning("db.warm_up.failed", error=repr(failures[0]), failed=len(failures))
