"""Keeping the job engine healthy: jobs of a dead worker are handed out again.

A worker killed with SIGKILL leaves its jobs in `doing`. Workers beat every 2 s; a worker
silent for 10 s is stalled, and every 5 s one periodic job (deferred once per period across
all workers) puts the stalled worker's jobs back in the queue, or closes one as failed when
a job with its queueing lock already waits (that one does the same work), and deletes the
stalled worker's row. Every task is
written to be re-run safely (the export reconciles through `search[api_reference]` first).
"""

from __future__ import annotations

import structlog
from procrastinate import exceptions
from procrastinate.jobs import Status

from services.sync_worker.jobs.app import app

HEARTBEAT_SECONDS = 2.0
STALLED_AFTER_SECONDS = 10.0

log = structlog.get_logger("services.sync_worker.jobs")


@app.periodic(cron="* * * * * */5", periodic_id="recover_stalled")
@app.task(name="jobs.recover_stalled", queueing_lock="jobs.recover_stalled", pass_context=False)
async def recover_stalled(timestamp: int) -> int:
    manager = app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
    for job in stalled:
        assert job.id is not None
        try:
            await manager.retry_job(job)
        except exceptions.UniqueViolation:
            # Another job with the same queueing lock already waits: it does the same work
            # (a sync of that tenant × entity), so the dead worker's copy is closed instead
            # of staying in `doing` for ever.
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            log.warning("jobs.stalled.superseded", job_id=job.id, task=job.task_name)
            continue
        log.warning("jobs.stalled.retried", job_id=job.id, task=job.task_name)
    # Rows of workers that died without unregistering (SIGKILL, or a database outage that
    # stopped the worker: the supervisor starts a new one under a new id). A worker prunes
    # them only when it starts; here they go within a period of going silent.
    pruned = await manager.prune_stalled_workers(STALLED_AFTER_SECONDS)
    if pruned:
        log.info("jobs.workers.pruned", count=len(pruned))
    return len(stalled)
