"""The procrastinate app every job is registered on.

Tasks live beside the code they run (masterdata/tasks.py, export/tasks.py, jobs/maintenance.py)
and register with `@app.task(name=...)`; `TASK_MODULES` makes a worker import all of them.
The connector gets its database only when a process opens the app (`opened(url)`), on a
pool with the same connect and statement timeouts as the services' other pools.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from procrastinate import App, PsycopgConnector
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from shared.db import CONNECT_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS

TASK_MODULES = (
    "services.sync_worker.jobs.maintenance",
    "services.sync_worker.masterdata.tasks",
    "services.sync_worker.export.tasks",
    "services.sync_worker.log.retention",
)

app = App(
    connector=PsycopgConnector(),
    import_paths=list(TASK_MODULES),
    # A periodic task missed while no worker ran is deferred at start if overdue ≤ 1 min.
    periodic_defaults={"max_delay": 60},
)


def libpq_url(url: str) -> str:
    """Our `postgresql+asyncpg://` or `postgresql://` URL as libpq (psycopg) takes it."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


async def _configure(connection: AsyncConnection[Any]) -> None:
    # Every query of the job engine is one call of one of its functions: without autocommit
    # psycopg wraps each in BEGIN … COMMIT, two round trips more for every job fetched and
    # every job finished (a quarter of the worker's database traffic at 60 archives/s).
    await connection.set_autocommit(True)
    # Its bookkeeping need not wait for the disk: a job whose fetch or finish a crash loses
    # is run again, and every task is written to be re-run safely (jobs/maintenance.py).
    await connection.execute("SET synchronous_commit TO OFF")


def pool_kwargs(*, connect_timeout: float, statement_timeout: float | None) -> dict[str, Any]:
    """libpq options for every connection of the job engine, the listener's included."""
    kwargs: dict[str, Any] = {"connect_timeout": max(2, math.ceil(connect_timeout))}
    if statement_timeout:
        kwargs["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return kwargs


@asynccontextmanager
async def opened(
    url: str,
    *,
    max_size: int = 10,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float | None = STATEMENT_TIMEOUT_SECONDS,
) -> AsyncIterator[App]:
    """The app connected to `url` for the duration of the block, on a pool of its own.

    A fresh pool per opening: after a database restart the pool's connections are dead and
    its reconnect attempts back off for minutes, so the supervisor (jobs/worker.py) starts
    the worker again on a new pool rather than waiting on the old one. Handing out a
    connection is checked (`check_connection`), waits at most `connect_timeout`, and
    opening fails after it when the database is away.
    """
    pool = AsyncConnectionPool(
        libpq_url(url),
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=connect_timeout,
        check=AsyncConnectionPool.check_connection,
        configure=_configure,
        kwargs=pool_kwargs(connect_timeout=connect_timeout, statement_timeout=statement_timeout),
        name="jobs",
    )
    try:
        await pool.open(wait=True, timeout=connect_timeout)
        with app.replace_connector(PsycopgConnector()):
            async with app.open_async(pool=pool):
                yield app
    finally:
        await pool.close(timeout=connect_timeout)
