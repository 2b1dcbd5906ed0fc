"""Jobs of this package, registered on the job engine's app (see jobs/app.py).

- `export.work_order_archived` (deferred by the outbox relay per event, by a retry, by a
  re-activation, by the sweeps below): exports one archived work order exactly once
  (sender.py). An export that must wait (a POST settling, a live worker's lease, a
  throttled tenant) goes back to the queue scheduled for that moment (`ExportWaits`);
  any other exception is retried with exponential backoff (2 s, 4 s … at most an hour);
  the export row keeps its state, so a retry resumes where the last run stopped.
- `export.resume_unfinished` (every 30 s): a job for every export of an active tenant left
  unfinished for a minute (retries used up, a reconnect, a lost job).
- `export.sweep_orphans` (every 5 min): a job for every work order archived in the last two
  days that has no export for its latest archive (its job died before its first commit).
- `export.reconcile_sent` (daily): a job per active tenant that checks the concept
  invoices of the last 90 days are still in Rompslomp (reconcile.py).
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from procrastinate import RetryStrategy
from procrastinate.jobs import Job
from procrastinate.retry import RetryDecision

from services.sync_worker.export.queue import (
    RECONCILE_TASK,
    defer_orphans,
    defer_reconciles,
    defer_unfinished,
)
from services.sync_worker.export.reconcile import reconcile_tenant
from services.sync_worker.export.sender import ExportWaits, export_event
from services.sync_worker.jobs.app import app
from services.sync_worker.jobs.relay import EXPORT_TASK
from services.sync_worker.jobs.runtime import current

RESUME_IDLE = timedelta(minutes=1)
# Archives this recent are swept: a job that died is caught within minutes, and a worker
# down for longer leaves its events unrelayed, so the relay makes their jobs anyway.
ORPHAN_WINDOW = timedelta(days=2)
MAX_BACKOFF_SECONDS = 3600

log = structlog.get_logger("services.sync_worker.export")


class ExportRetry(RetryStrategy):
    """A wait is scheduled for its moment (not counted against the backoff's purpose);
    anything else backs off exponentially, at most an hour between attempts."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, ExportWaits):
            return RetryDecision(retry_at=exception.until)
        decision = super().get_retry_decision(exception=exception, job=job)
        if decision is None:
            return None
        wait = min(MAX_BACKOFF_SECONDS, self.exponential_wait ** (job.attempts + 1))
        return RetryDecision(retry_in={"seconds": wait})


@app.task(
    name=EXPORT_TASK,
    pass_context=False,
    retry=ExportRetry(max_attempts=11, exponential_wait=2),
)
async def work_order_archived(event_id: int) -> str:
    runtime = current()
    outcome = await export_event(runtime.sessions, runtime.rompslomp, event_id)
    log.debug("export.job.done", event_id=event_id, outcome=outcome)
    return outcome


@app.periodic(cron="* * * * * */30", periodic_id="export_resume_unfinished")
@app.task(
    name="export.resume_unfinished",
    queueing_lock="export.resume_unfinished",
    pass_context=False,
)
async def resume_unfinished(timestamp: int) -> int:
    runtime = current()
    async with runtime.sessions() as session:
        count = await defer_unfinished(session, idle_for=RESUME_IDLE)
        await session.commit()
    if count:
        log.info("export.resumed", count=count)
    return count


@app.periodic(cron="*/5 * * * *", periodic_id="export_sweep_orphans")
@app.task(name="export.sweep_orphans", queueing_lock="export.sweep_orphans", pass_context=False)
async def sweep_orphans(timestamp: int) -> int:
    runtime = current()
    async with runtime.sessions() as session:
        count = await defer_orphans(session, archived_for=RESUME_IDLE, within=ORPHAN_WINDOW)
        await session.commit()
    if count:
        log.warning("export.orphans.deferred", count=count)
    return count


@app.periodic(cron="17 3 * * *", periodic_id="export_reconcile_sent")
@app.task(name="export.reconcile_sent", queueing_lock="export.reconcile_sent", pass_context=False)
async def reconcile_sent(timestamp: int) -> int:
    runtime = current()
    async with runtime.sessions() as session:
        count = await defer_reconciles(session)
        await session.commit()
    return count


@app.task(name=RECONCILE_TASK, pass_context=False, retry=RetryStrategy(max_attempts=5, wait=300))
async def reconcile_tenant_invoices(tenant_id: int) -> int:
    runtime = current()
    return await reconcile_tenant(runtime.sessions, runtime.rompslomp, tenant_id)
