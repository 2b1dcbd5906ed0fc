"""Putting exports (back) in the job queue: a retry, a re-activation, an unfinished export,
an archived work order without an export, the daily check of sent invoices.

Jobs are deferred in the caller's transaction (jobs/defer.py) with the relay's `lock`, so
at most one export job runs per work order; a `queueing_lock` folds repeated requests into
one waiting job.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from shared.clock import utcnow
from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED
from shared.export_status import IN_FLIGHT, REOPENABLE, ExportStatus
from shared.models import Integration, InvoiceExport, OutboxEvent, WorkOrder

EXPORT_TASK = "export.work_order_archived"  # jobs/relay.py defers it per archive event
RECONCILE_TASK = "export.reconcile_tenant"
RECONCILE_DAYS = 90  # sent invoices younger than this are checked daily
UNFINISHED = (ExportStatus.PENDING, *IN_FLIGHT)


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
    export has not moved for `idle_for`); the number deferred. A pending export of an
    archive that was reopened since is left alone: the next archive restarts it."""
    query = (
        select(InvoiceExport.tenant_id, InvoiceExport.work_order_id, InvoiceExport.event_id)
        .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
        .join(WorkOrder, WorkOrder.id == InvoiceExport.work_order_id)
        .where(
            InvoiceExport.status.in_(UNFINISHED),
            InvoiceExport.event_id.is_not(None),
            Integration.state == IntegrationState.ACTIVE,
            or_(
                InvoiceExport.status.in_(IN_FLIGHT),
                and_(
                    WorkOrder.status == WorkOrderStatus.ARCHIVED,
                    WorkOrder.archive_count == InvoiceExport.archive_seq,
                ),
            ),
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
    less than `within`) whose latest archive has no export: no row at all (the job died
    before its first commit), or a finished row of an earlier archive (a failed, skipped
    or removed export). Without it, simon_api's reopen would answer `export_pending` for
    ever."""
    latest_event = (
        select(func.max(OutboxEvent.id))
        .where(
            OutboxEvent.tenant_id == WorkOrder.tenant_id,
            OutboxEvent.aggregate_id == WorkOrder.id,
            OutboxEvent.event_type == WORK_ORDER_ARCHIVED,
        )
        .scalar_subquery()
    )
    query = (
        select(WorkOrder.tenant_id, WorkOrder.id, latest_event.label("event_id"))
        .join(Integration, Integration.tenant_id == WorkOrder.tenant_id)
        .outerjoin(
            InvoiceExport,
            and_(
                InvoiceExport.tenant_id == WorkOrder.tenant_id,
                InvoiceExport.work_order_id == WorkOrder.id,
            ),
        )
        .where(
            Integration.state == IntegrationState.ACTIVE,
            WorkOrder.status == WorkOrderStatus.ARCHIVED,
            WorkOrder.archived_at < utcnow() - archived_for,
            WorkOrder.archived_at > utcnow() - within,
            or_(
                InvoiceExport.id.is_(None),
                and_(
                    InvoiceExport.archive_seq < WorkOrder.archive_count,
                    InvoiceExport.status.in_((ExportStatus.PENDING, *REOPENABLE)),
                ),
            ),
        )
        .order_by(WorkOrder.id)
        .limit(limit)
    )
    deferred = 0
    for row in (await session.execute(query)).all():
        if row.event_id is not None:
            await defer_export(session, row.tenant_id, row.id, row.event_id)
            deferred += 1
    return deferred


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
