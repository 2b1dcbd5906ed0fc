"""What simon_api and sync_worker both keep about a work order and its invoice export.

**Reopen (R-EXPORT-2).** An archived work order goes back to `completed` only while no
concept invoice exists for it or is on its way: its export failed, was skipped or its
invoice was deleted in Rompslomp (`removed`), or nothing is being sent because the
integration is not active (no export yet, or one waiting in `pending` for a
re-activation). `reopen_refusal` says why not; `reopen_refusal_for` reads what it needs.
An active tenant's archive without an export gets one from sync_worker's sweep
(`archives_without_export`), so `export_pending` never lasts.

**Lock order.** A change of a work order's status (simon_api) and an export of it
(sync_worker) take their row locks in one order, work order before export row, and the
export holds what it read until its `pending`/`sending` is committed:

    simon_api    reopen, archive  the work order FOR UPDATE (`lock_work_order`); a reopen
                                  then reads the export's status (no lock)
    sync_worker  claim, sending   the work order and the integration FOR SHARE with the
                                  facts (`ARCHIVE_FOR_EXPORT`, `EXPORT_FOR_SENDING`), the
                                  export row FOR UPDATE
                 retry, check     the work order FOR SHARE (`lock_work_order_for_export`),
                                  then the export row FOR UPDATE

So a reopen either commits first (the export then finds the work order no longer archived
at its archive and sends nothing) or waits for the export's commit and finds `pending` or
`sending` (409 `export_pending`). A deactivation (the integration FOR UPDATE) likewise
waits for an export's claim or `sending`, and the export sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Exists, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED
from shared.export_status import REOPENABLE, ExportStatus
from shared.models.integration import Integration, InvoiceExport
from shared.models.outbox import OutboxEvent
from shared.models.work_orders import WorkOrder


class ReopenRefusal(StrEnum):
    INVOICE_EXISTS = "invoice_exists"  # the concept invoice is in Rompslomp: change it there
    EXPORT_PENDING = "export_pending"  # it is being sent: wait for the export to finish


def reopen_refusal(
    export: ExportStatus | None, *, integration_active: bool
) -> ReopenRefusal | None:
    """Why an archived work order with this export may not be reopened (None: it may)."""
    if export in REOPENABLE:
        return None
    if export in (None, ExportStatus.PENDING) and not integration_active:
        return None
    if export == ExportStatus.SENT:
        return ReopenRefusal.INVOICE_EXISTS
    return ReopenRefusal.EXPORT_PENDING


async def reopen_refusal_for(session: AsyncSession, work_order: WorkOrder) -> ReopenRefusal | None:
    """`reopen_refusal` for an archived work order the caller holds FOR UPDATE
    (`lock_work_order`): its export's status, and the integration's state when it counts."""
    status = await session.scalar(
        select(InvoiceExport.status).where(
            InvoiceExport.tenant_id == work_order.tenant_id,
            InvoiceExport.work_order_id == work_order.id,
        )
    )
    export = ExportStatus(status) if status is not None else None
    # The integration's state only counts while nothing was sent or is on its way.
    active = export not in (None, ExportStatus.PENDING) or (
        await session.scalar(
            select(Integration.state).where(Integration.tenant_id == work_order.tenant_id)
        )
        == IntegrationState.ACTIVE
    )
    return reopen_refusal(export, integration_active=active)


async def lock_work_order(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> WorkOrder | None:
    """The work order FOR UPDATE: the first lock of every change of its status."""
    return (
        await session.execute(
            select(WorkOrder)
            .where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
            .with_for_update()
        )
    ).scalar_one_or_none()


# Built once: a statement object memoises its cache key, which SQLAlchemy would otherwise
# compute for every export. The claim (sync_worker/export/claim.py) adds its own columns.
# No row: no such event, its work order wiped since, or a tenant that never activated.
ARCHIVE_FOR_EXPORT = (
    select(
        OutboxEvent.event_type,
        OutboxEvent.payload,
        WorkOrder.status,
        WorkOrder.archive_count,
        Integration.state,
    )
    .join(
        WorkOrder,
        and_(
            WorkOrder.id == OutboxEvent.aggregate_id, WorkOrder.tenant_id == OutboxEvent.tenant_id
        ),
    )
    .join(Integration, Integration.tenant_id == OutboxEvent.tenant_id)
    .where(OutboxEvent.id == bindparam("event_id"))
    .with_for_update(read=True, of=[WorkOrder, Integration])
)

# Just before the POST: the export FOR UPDATE, the work order and the integration FOR
# SHARE (a concurrent reopen or deactivate waits for this commit, and its POST is then one
# already in flight, or we see it).
EXPORT_FOR_SENDING = (
    select(InvoiceExport, WorkOrder.status, WorkOrder.archive_count, Integration.state)
    .join(WorkOrder, WorkOrder.id == InvoiceExport.work_order_id)
    .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
    .where(InvoiceExport.id == bindparam("export_id"))
    .suffix_with("FOR UPDATE OF invoice_exports FOR SHARE OF work_orders, integrations")
    .execution_options(populate_existing=True)
)


@dataclass(frozen=True)
class WorkOrderState:
    number: str
    status: WorkOrderStatus
    archive_count: int


async def lock_work_order_for_export(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> WorkOrderState | None:
    """The work order FOR SHARE, as the sender holds it (the export row is locked after)."""
    row = (
        await session.execute(
            select(WorkOrder.number, WorkOrder.status, WorkOrder.archive_count)
            .where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
            .with_for_update(read=True)
        )
    ).one_or_none()
    return (
        None
        if row is None
        else WorkOrderState(row.number, WorkOrderStatus(row.status), row.archive_count)
    )


def archive_is_current() -> Exists:
    """SQL: the export's work order is still archived at the export's archive (a reopen
    since leaves the export to the next archive)."""
    return (
        select(WorkOrder.id)
        .where(
            WorkOrder.id == InvoiceExport.work_order_id,
            WorkOrder.status == WorkOrderStatus.ARCHIVED,
            WorkOrder.archive_count == InvoiceExport.archive_seq,
        )
        .exists()
    )


@dataclass(frozen=True)
class ArchiveEvent:
    tenant_id: int
    work_order_id: int
    event_id: int


async def archives_without_export(
    session: AsyncSession, *, archived_after: datetime, archived_before: datetime, limit: int
) -> list[ArchiveEvent]:
    """Work orders of active tenants archived in the window whose latest archive has no
    export: no row at all (the job died before its first commit), or a finished row of an
    earlier archive (a failed, skipped or removed export); with their latest archive event."""
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
            WorkOrder.archived_at < archived_before,
            WorkOrder.archived_at > archived_after,
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
    return [
        ArchiveEvent(row.tenant_id, row.id, row.event_id)
        for row in (await session.execute(query)).all()
        if row.event_id is not None
    ]
