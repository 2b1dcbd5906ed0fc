"""Putting exports (back) in the job queue: a retry, a re-activation, an unfinished export,
an archived work order without an export, the daily check of sent invoices.

Jobs are deferred in the caller's transaction (jobs/defer.py) with the relay's `lock`
(jobs/relay.py names the task and its lock), so at most one export job runs per work
order; a `queueing_lock` folds repeated requests into one waiting job.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from services.sync_worker.jobs.relay import EXPORT_TASK, export_lock
from shared.clock import utcnow
from shared.enums import IntegrationState
from shared.export_status import IN_FLIGHT, ExportStatus
from shared.models.integration import Integration, InvoiceExport
from shared.work_order_rules import archive_is_current, archives_without_export

RECONCILE_TASK = "export.reconcile_tenant"
RECONCILE_DAYS = 90  # sent invoices younger than this are checked daily
UNFINISHED = (ExportStatus.PENDING, *IN_FLIGHT)


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
    export has not moved for `idle_for`); the number deferred. A pending export of an
    archive that was reopened since is left alone: the next archive restarts it."""
    query = (
        select(InvoiceExport.tenant_id, InvoiceExport.work_order_id, InvoiceExport.event_id)
        .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
        .where(
            InvoiceExport.status.in_(UNFINISHED),
            InvoiceExport.event_id.is_not(None),
            Integration.state == IntegrationState.ACTIVE,
            or_(InvoiceExport.status.in_(IN_FLIGHT), archive_is_current()),
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


async def defer_orphans(
    session: AsyncSession,
    *,
    archived_for: timedelta,
    within: timedelta = timedelta(days=2),
    limit: int = 1000,
) -> int:
    """A job for every work order of an active tenant archived over `archived_for` ago (and
    less than `within`) whose latest archive has no export (shared/work_order_rules.py).
    Without it, simon_api's reopen would answer `export_pending` for ever."""
    now = utcnow()
    orphans = await archives_without_export(
        session, archived_after=now - within, archived_before=now - archived_for, limit=limit
    )
    for orphan in orphans:
        await defer_export(session, orphan.tenant_id, orphan.work_order_id, orphan.event_id)
    return len(orphans)


async def defer_reconciles(session: AsyncSession) -> int:
    """One check per active tenant with concept invoices sent in the last 90 days."""
    tenants = await session.scalars(
        select(InvoiceExport.tenant_id)
        .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
        .where(
            Integration.state == IntegrationState.ACTIVE,
            InvoiceExport.status == ExportStatus.SENT,
            InvoiceExport.sent_at >= utcnow() - timedelta(days=RECONCILE_DAYS),
        )
        .distinct()
    )
    count = 0
    for tenant_id in tenants.all():
        await defer(
            session,
            RECONCILE_TASK,
            args={"tenant_id": tenant_id},
            queueing_lock=f"{RECONCILE_TASK}:{tenant_id}",
        )
        count += 1
    return count
