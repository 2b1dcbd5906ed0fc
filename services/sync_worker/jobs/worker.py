"""The job worker a sync_worker process runs beside its HTTP API (DESIGN D1).

Several processes may run it side by side: jobs are claimed with SKIP LOCKED, `lock`s
keep one running job per tenant × entity, periodic jobs are deferred once per period.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

import structlog

from services.sync_worker.jobs import relay
from services.sync_worker.jobs.app import opened
from services.sync_worker.jobs.maintenance import HEARTBEAT_SECONDS, STALLED_AFTER_SECONDS
from services.sync_worker.jobs.runtime import Runtime, set_runtime

log = structlog.get_logger("services.sync_worker.jobs")


async def run(url: str, runtime: Runtime, *, concurrency: int) -> None:
    """Run the relay and the worker until cancelled."""
    set_runtime(runtime)
    name = f"{socket.gethostname()}:{os.getpid()}"
    async with opened(url, max_size=concurrency + 4) as job_app:
        relaying = asyncio.create_task(relay.run(url, runtime.sessions), name="outbox-relay")
        log.info("jobs.worker.started", worker=name, concurrency=concurrency)
        try:
            await job_app.run_worker_async(
                name=name,
                concurrency=concurrency,
                install_signal_handlers=False,
                listen_notify=True,
                fetch_job_polling_interval=2.0,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_AFTER_SECONDS,
                delete_jobs="successful",
                shutdown_graceful_timeout=5.0,
            )
        finally:
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying
            set_runtime(None)
