"""Recognising a database that cannot be reached, and logging its outage without a flood.

While PostgreSQL is away every request fails the same way; a traceback per request told the
operator nothing new (263,000 lines in 30 s). `OutageLog` writes the first failure with its
traceback, then one summary line per `interval` with the count, and one line when the
failures stopped.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import psycopg
import psycopg_pool
import structlog
from sqlalchemy import exc as sa_exc

# Failures that say "the database is not there (or not answering)", not "this query is
# wrong": class 08 (connection), class 57 (shutdown, starting up, statement timeout), too
# many connections, a pool that could not hand out a connection in time.
_DRIVER_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    sa_exc.TimeoutError,
)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database cannot be reached right now.

    A bare OSError (refused, reset, timed out connecting) counts only as the exception itself:
    the drivers raise it unwrapped, while an HTTP client's connect error merely carries one
    in its chain and is no database problem.
    """
    if isinstance(exc, OSError):
        return True
    current: BaseException | None = exc
    for _ in range(8):  # the chains are short; a cycle must not loop for ever
        if current is None:
            return False
        if isinstance(current, _DRIVER_UNAVAILABLE):
            return True
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated:
                return True
            current = current.orig or current.__cause__
        else:
            current = current.__cause__
    return False


class OutageLog:
    """Counts failures of one kind; logs the first in full, then a summary per interval."""

    def __init__(self, event: str, *, interval: float = 10.0, logger: Any = None) -> None:
        self.event = event
        self.interval = interval
        self.log = logger or structlog.get_logger("shared.outage")
        self._since: float | None = None
        self._total = 0
        self._window = 0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failure(self, exc: BaseException, **fields: Any) -> None:
        if self._since is None:
            self._since = time.monotonic()
            self._total = 1
            self._window = 0
            self.log.error(self.event, **fields, exc_info=exc)
            self._schedule()
            return
        self._total += 1
        self._window += 1

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside a loop (a sync tool): no summaries
            return
        self._timer = loop.call_later(self.interval, self._summarise)

    def _summarise(self) -> None:
        self._timer = None
        if self._since is None:
            return
        seconds = round(time.monotonic() - self._since, 1)
        if self._window:
            self.log.warning(
                f"{self.event}.ongoing",
                failures=self._window,
                last_seconds=self.interval,
                total=self._total,
                since_seconds=seconds,
            )
            self._window = 0
            self._schedule()
            return
        self.log.warning(f"{self.event}.ended", total=self._total, seconds=seconds)
        self._since = None

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
