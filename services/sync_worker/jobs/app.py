"""The procrastinate app every job is registered on.

Tasks live beside the code they run (masterdata/tasks.py, export/tasks.py, jobs/maintenance.py)
and register with `@app.task(name=...)`; `TASK_MODULES` makes a worker import all of them.
The connector gets its database only when a process opens the app (`opened(url)`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from procrastinate import App, PsycopgConnector
from psycopg import AsyncConnection

TASK_MODULES = (
    "services.sync_worker.jobs.maintenance",
    "services.sync_worker.masterdata.tasks",
    "services.sync_worker.export.tasks",
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


@asynccontextmanager
async def opened(url: str, *, max_size: int = 10) -> AsyncIterator[App]:
    """The app connected to `url` for the duration of the block."""
    connector = PsycopgConnector(
        conninfo=libpq_url(url), min_size=1, max_size=max_size, configure=_configure
    )
    with app.replace_connector(connector):
        async with app.open_async():
            yield app
