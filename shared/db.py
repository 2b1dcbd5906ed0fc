"""Declarative base with a naming convention, and the async engine factory."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
    request on each would fail."""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=10,
        pool_timeout=10,
        pool_pre_ping=True,
        connect_args=asyncpg_connect_args(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout
        ),
    )


# What opens a short transaction of its own: a sessionmaker, or a test's stand-in that hands
# out its rolled-back session.
SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
