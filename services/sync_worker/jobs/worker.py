"""The job engine a sync_worker process runs beside its HTTP API (DESIGN D1): the job worker
(procrastinate) and the outbox relay, each supervised.

Several processes may run it side by side: jobs are claimed with SKIP LOCKED, `lock`s
keep one running job per tenant × entity, periodic jobs are deferred once per period.

Either part stops when the database goes away (procrastinate stops its worker when its
listener or heartbeat fails; the relay when a query fails). The supervisor logs each stop
once (`jobs.worker.stopped` with the cause) and starts the part again after a capped
exponential backoff, for as long as the process lives. Jobs a stopped worker left in
`doing` are handed out again by `recover_stalled` (jobs/maintenance.py) once its heartbeat
is older than STALLED_AFTER_SECONDS.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import text

from services.sync_worker.jobs import relay
from services.sync_worker.jobs.app import opened
from services.sync_worker.jobs.maintenance import HEARTBEAT_SECONDS, STALLED_AFTER_SECONDS
from services.sync_worker.jobs.runtime import Runtime, set_runtime
from services.sync_worker.metrics import JOBS_WORKER_UP, OUTBOX_RELAY_UP
from shared.outage import database_unavailable

log = structlog.get_logger("services.sync_worker.jobs")

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 15.0
# A part that ran this long was healthy: its next stop starts the backoff from the beginning.
HEALTHY_AFTER_SECONDS = 30.0
PROBE_SECONDS = 1.0


@dataclass
class Part:
    """One supervised part of the job engine and what /ready and /metrics read of it."""

    name: str
    up: bool = False
    stops: int = 0
    last_cause: str | None = None
    on_change: Callable[[bool], None] = field(default=lambda _: None, repr=False)

    def set_up(self, up: bool) -> None:
        self.up = up
        self.on_change(up)


async def _pause(delay: float, probe: Callable[[], Awaitable[bool]] | None) -> None:
    """Wait `delay`, or less: once `probe` says the database answers again (asked every
    PROBE_SECONDS), the part that stopped for want of it starts at once, so the backlog
    drains within seconds of an outage however far the backoff has grown."""
    deadline = time.monotonic() + delay
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(left, PROBE_SECONDS))
        if probe is not None and time.monotonic() < deadline and await probe():
            return


async def supervise(
    part: Part,
    run: Callable[[Part], Awaitable[None]],
    *,
    probe: Callable[[], Awaitable[bool]] | None = None,
    first_backoff: float = FIRST_BACKOFF_SECONDS,
    max_backoff: float = MAX_BACKOFF_SECONDS,
    healthy_after: float = HEALTHY_AFTER_SECONDS,
) -> None:
    """Run `run(part)` again and again until cancelled. `run` calls `part.set_up(True)`
    once it works; whatever ends it other than cancellation is a stop. The backoff doubles
    from `first_backoff` to `max_backoff` and starts over after a run of `healthy_after`;
    a stop for want of the database ends its backoff early once `probe()` succeeds (a stop
    for any other reason, a bug say, waits the backoff out: no tight crash loop)."""
    delay = first_backoff
    while True:
        started = time.monotonic()
        cause: BaseException | None = None
        try:
            await run(part)
        except asyncio.CancelledError:
            part.set_up(False)
            raise
        except Exception as exc:
            cause = exc
        was_up = part.up
        part.set_up(False)
        if time.monotonic() - started >= healthy_after:
            delay = first_backoff
        reason = repr(cause) if cause is not None else "stopped by itself"
        waits_for_database = cause is None or database_unavailable(cause)
        if was_up:
            part.stops += 1
            part.last_cause = reason
            # The cause says enough when the database went away; anything else is a bug
            # and gets its traceback.
            log.error(
                "jobs.worker.stopped",
                part=part.name,
                cause=reason,
                restart_in=delay,
                exc_info=None if waits_for_database else cause,
            )
        else:  # a restart that did not come up: the database is still away
            log.warning("jobs.worker.restart_failed", part=part.name, cause=reason, retry_in=delay)
        await _pause(delay, probe if waits_for_database else None)
        delay = min(delay * 2, max_backoff)


class JobEngine:
    """The job worker and the outbox relay of one process, supervised."""

    def __init__(self, url: str, runtime: Runtime, *, concurrency: int) -> None:
        self.url = url
        self.runtime = runtime
        self.concurrency = concurrency
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.worker = Part("job_worker", on_change=lambda up: JOBS_WORKER_UP.set(int(up)))
        self.relay = Part("outbox_relay", on_change=lambda up: OUTBOX_RELAY_UP.set(int(up)))

    def down(self) -> list[str]:
        return [part.name for part in (self.worker, self.relay) if not part.up]

    async def run(self) -> None:
        """Both parts until cancelled."""
        set_runtime(self.runtime)
        try:
            async with asyncio.TaskGroup() as group:
                for part, run in ((self.worker, self._work), (self.relay, self._relay)):
                    group.create_task(supervise(part, run, probe=self._database_answers))
        finally:
            set_runtime(None)

    async def _database_answers(self) -> bool:
        try:
            async with self.runtime.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # whatever the failure: not yet
            return False
        return True

    async def _work(self, part: Part) -> None:
        settings = self.runtime.settings
        async with opened(
            self.url,
            max_size=self.concurrency + 4,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
        ) as job_app:
            part.set_up(True)
            log.info("jobs.worker.started", worker=self.name, concurrency=self.concurrency)
            await job_app.run_worker_async(
                name=self.name,
                concurrency=self.concurrency,
                install_signal_handlers=False,
                listen_notify=True,
                fetch_job_polling_interval=2.0,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_AFTER_SECONDS,
                delete_jobs="successful",
                shutdown_graceful_timeout=5.0,
            )
            # procrastinate stops its worker itself when its listener or heartbeat fails
            # (and logs the side task's exception): that is a stop too.

    async def _relay(self, part: Part) -> None:
        await relay.run(
            self.url,
            on_listening=lambda: part.set_up(True),
            connect_timeout=self.runtime.settings.db_connect_timeout,
            statement_timeout=self.runtime.settings.db_statement_timeout,
        )
