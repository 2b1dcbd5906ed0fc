"""Putting exports (back) in the job queue: a retry, a re-activation, an unfinished export.

Jobs are deferred in the caller's transaction (jobs/defer.py) with the relay's `lock`, so
at most one export job runs per work order; a `queueing_lock` folds repeated requests into
one waiting job.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from shared.clock import utcnow
from shared.models import Integration, InvoiceExport

EXPORT_TASK = "export.work_order_archived"  # jobs/relay.py defers it per archive event
IN_FLIGHT = ("sending", "unknown")
UNFINISHED = ("pending", *IN_FLIGHT)


def export_lock(tenant_id: int, work_order_id: int) -> str:
    """One running export job per work order."""
    return f"export:{tenant_id}:{work_order_id}"


async def defer_export(
    session: AsyncSession, tenant_id: int, work_order_id: int, event_id: int
) -> None:
    await defer(
        session,
        EXPORT_TASK,
        args={"event_id": event_id},
        lock=export_lock(tenant_id, work_order_id),
        queueing_lock=f"export-again:{tenant_id}:{work_order_id}",
    )


async def defer_unfinished(
    session: AsyncSession,
    *,
    tenant_id: int | None = None,
    idle_for: timedelta | None = None,
    limit: int = 1000,
) -> int:
    """A job for every unfinished export (of one tenant, or of every active tenant whose
    export has not moved for `idle_for`); the number deferred."""
    query = (
        select(InvoiceExport.tenant_id, InvoiceExport.work_order_id, InvoiceExport.event_id)
        .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
        .where(
            InvoiceExport.status.in_(UNFINISHED),
            InvoiceExport.event_id.is_not(None),
            Integration.state == "active",
        )
        .order_by(InvoiceExport.id)
        .limit(limit)
    )
    if tenant_id is not None:
        query = query.where(InvoiceExport.tenant_id == tenant_id)
    if idle_for is not None:
        query = query.where(InvoiceExport.updated_at < utcnow() - idle_for)
    rows = (await session.execute(query)).all()
    for row in rows:
        assert row.event_id is not None
        await defer_export(session, row.tenant_id, row.work_order_id, row.event_id)
    return len(rows)
