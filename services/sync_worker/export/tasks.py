"""Jobs of this package, registered on the job engine's app (see jobs/app.py).

- `export.work_order_archived` (deferred by the outbox relay per event, by a retry, by a
  re-activation): exports one archived work order exactly once (sender.py). Any exception
  is retried with exponential backoff (2 s, 4 s … about an hour in all); the export row
  keeps its state, so a retry resumes where the last run stopped.
- `export.resume_unfinished` (every 30 s): a job for every export of an active tenant left
  unfinished for a minute (retries used up, a reconnect, a lost job).
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from procrastinate import RetryStrategy

from services.sync_worker.export.queue import EXPORT_TASK, defer_unfinished
from services.sync_worker.export.sender import export_event
from services.sync_worker.jobs.app import app
from services.sync_worker.jobs.runtime import current

RESUME_IDLE = timedelta(minutes=1)

log = structlog.get_logger("services.sync_worker.export")


@app.task(
    name=EXPORT_TASK,
    pass_context=False,
    retry=RetryStrategy(max_attempts=11, exponential_wait=2),
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
