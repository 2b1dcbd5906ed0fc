"""Retention: old integration log entries and processed outbox events are removed daily.

Log entries older than `LOG_RETENTION_DAYS` (365) go; outbox events processed more than
`OUTBOX_RETENTION_DAYS` ago go too, except those an unfinished or failed export still
needs (a resend rebuilds the invoice from the event's snapshot). Deleted in batches, one
transaction each, so neither table is locked for long and a restart loses nothing.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import TextClause, text

from services.sync_worker.jobs.app import app
from services.sync_worker.jobs.runtime import current
from shared.clock import utcnow
from shared.db import SessionFactory
from shared.export_status import IN_FLIGHT, ExportStatus

log = structlog.get_logger("services.sync_worker.log")

OUTBOX_RETENTION_DAYS = 30
BATCH = 5000
# Exports that may still be sent (or resent) from their event.
NEEDS_EVENT = (ExportStatus.PENDING, *IN_FLIGHT, ExportStatus.FAILED)

_OLD_LOG = text(
    """
    DELETE FROM integration_log WHERE id IN (
        SELECT id FROM integration_log WHERE at < :cutoff LIMIT :batch)
    """
)
_NEEDED_EVENTS = text(
    "SELECT event_id FROM invoice_exports "
    "WHERE status = ANY(CAST(:statuses AS text[])) AND event_id IS NOT NULL"
)
_OLD_EVENTS = text(
    """
    DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events
        WHERE processed_at < :cutoff AND id <> ALL(CAST(:keep AS bigint[]))
        ORDER BY id LIMIT :batch)
    """
)


async def _in_batches(
    sessions: SessionFactory, statement: TextClause, params: dict[str, object]
) -> int:
    removed = 0
    while True:
        async with sessions() as session:
            result = await session.execute(statement, {**params, "batch": BATCH})
            await session.commit()
        count = int(result.rowcount)  # type: ignore[attr-defined]
        removed += count
        if count < BATCH:
            return removed


async def remove_old(
    sessions: SessionFactory, *, log_days: int, outbox_days: int = OUTBOX_RETENTION_DAYS
) -> dict[str, int]:
    """Remove what is past its retention; the rows removed per table."""
    now = utcnow()
    entries = await _in_batches(sessions, _OLD_LOG, {"cutoff": now - timedelta(days=log_days)})
    async with sessions() as session:
        keep = list(await session.scalars(_NEEDED_EVENTS, {"statuses": list(NEEDS_EVENT)}))
        await session.commit()
    events = await _in_batches(
        sessions, _OLD_EVENTS, {"cutoff": now - timedelta(days=outbox_days), "keep": keep}
    )
    if entries or events:
        log.info("retention.removed", log_entries=entries, outbox_events=events)
    return {"integration_log": entries, "outbox_events": events}


@app.periodic(cron="17 3 * * *", periodic_id="retention")
@app.task(name="log.retention", queueing_lock="log.retention", pass_context=False)
async def retention(timestamp: int) -> dict[str, int]:
    rt = current()
    return await remove_old(rt.sessions, log_days=rt.settings.log_retention_days)
