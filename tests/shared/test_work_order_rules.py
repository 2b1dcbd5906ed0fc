"""The rules both services keep about a work order and its export (shared/work_order_rules.py):
when a reopen is refused, and the lock order that makes a reopen and an export see each
other. The lock tests commit on their own connections (locks are between transactions)
and remove their tenant afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import create_tenant
from shared.clock import utcnow
from shared.db import SessionFactory, create_sessionmaker
from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED
from shared.export_status import ExportStatus
from shared.models.integration import Integration, InvoiceExport
from shared.models.outbox import OutboxEvent
from shared.models.tenants import Tenant
from shared.models.work_orders import WorkOrder
from shared.work_order_rules import (
    ARCHIVE_FOR_EXPORT,
    ReopenRefusal,
    lock_work_order,
    reopen_refusal,
    reopen_refusal_for,
)

REFUSALS: list[tuple[ExportStatus | None, bool, ReopenRefusal | None]] = [
    # No export yet: the sweep will start one while the integration is active.
    (None, True, ReopenRefusal.EXPORT_PENDING),
    (None, False, None),
    (ExportStatus.PENDING, True, ReopenRefusal.EXPORT_PENDING),
    (ExportStatus.PENDING, False, None),  # waits for a re-activation that drops the archive
    # A POST may be on its way: even an inactive integration must not let it go.
    (ExportStatus.SENDING, True, ReopenRefusal.EXPORT_PENDING),
    (ExportStatus.SENDING, False, ReopenRefusal.EXPORT_PENDING),
    (ExportStatus.UNKNOWN, True, ReopenRefusal.EXPORT_PENDING),
    (ExportStatus.UNKNOWN, False, ReopenRefusal.EXPORT_PENDING),
    (ExportStatus.SENT, True, ReopenRefusal.INVOICE_EXISTS),
    (ExportStatus.SENT, False, ReopenRefusal.INVOICE_EXISTS),
    (ExportStatus.FAILED, True, None),
    (ExportStatus.SKIPPED, True, None),
    (ExportStatus.REMOVED, True, None),
    (ExportStatus.REMOVED, False, None),
]


@pytest.mark.parametrize(("export", "active", "refusal"), REFUSALS)
def test_a_reopen_is_refused_while_an_invoice_exists_or_is_on_its_way(
    export: ExportStatus | None, active: bool, refusal: ReopenRefusal | None
) -> None:
    assert reopen_refusal(export, integration_active=active) == refusal


@dataclass
class Archived:
    tenant_id: int
    work_order_id: int
    event_id: int


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return create_sessionmaker(engine)


@pytest.fixture
async def archived(sessions: SessionFactory) -> AsyncIterator[Archived]:
    """A committed archived work order of an active tenant, with its (relayed) event."""
    async with sessions() as setup:
        tenant, _, _ = await create_tenant(setup, "Lock order")
        work_order = WorkOrder(
            tenant_id=tenant.id,
            number="2026-LOCK",
            status=WorkOrderStatus.ARCHIVED,
            archive_count=1,
            archived_at=utcnow(),
        )
        setup.add_all([work_order, Integration(tenant_id=tenant.id, state=IntegrationState.ACTIVE)])
        await setup.flush()
        event = OutboxEvent(
            tenant_id=tenant.id,
            event_type=WORK_ORDER_ARCHIVED,
            version=1,
            aggregate_id=work_order.id,
            payload={},
            processed_at=utcnow(),  # no relay picks it up
        )
        setup.add(event)
        await setup.commit()
        made = Archived(tenant.id, work_order.id, event.id)
    try:
        yield made
    finally:
        async with sessions() as cleanup:
            await cleanup.execute(delete(Tenant).where(Tenant.id == made.tenant_id))
            await cleanup.commit()


async def _backend(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _until_waiting_on_a_lock(session: AsyncSession, pid: int) -> None:
    """Until the backend `pid` waits for a row lock (polled: there is no event to await)."""
    for _ in range(500):
        waiting = await session.scalar(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
        if waiting == "Lock":
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


async def test_a_reopen_waits_for_an_exports_claim_and_then_sees_it_pending(
    sessions: SessionFactory, archived: Archived
) -> None:
    async with sessions() as export, sessions() as reopen, sessions() as watcher:
        facts = (await export.execute(ARCHIVE_FOR_EXPORT, {"event_id": archived.event_id})).one()
        assert (facts.status, facts.archive_count, facts.state) == ("archived", 1, "active")
        export.add(
            InvoiceExport(
                tenant_id=archived.tenant_id,
                work_order_id=archived.work_order_id,
                status=ExportStatus.PENDING,
                api_reference="simon-lock-order",
                event_id=archived.event_id,
                archive_seq=1,
            )
        )
        await export.flush()

        async def reopen_check() -> ReopenRefusal | None:
            work_order = await lock_work_order(reopen, archived.tenant_id, archived.work_order_id)
            assert work_order is not None
            return await reopen_refusal_for(reopen, work_order)

        pid = await _backend(reopen)
        waiting = asyncio.create_task(reopen_check())
        await _until_waiting_on_a_lock(watcher, pid)
        assert not waiting.done()

        await export.commit()

        assert await waiting == ReopenRefusal.EXPORT_PENDING
        await reopen.rollback()


async def test_an_export_waits_for_a_reopen_and_then_finds_the_archive_gone(
    sessions: SessionFactory, archived: Archived
) -> None:
    async with sessions() as setup:  # deactivated before any export started: reopen allowed
        await setup.execute(
            update(Integration)
            .where(Integration.tenant_id == archived.tenant_id)
            .values(state=IntegrationState.INACTIVE)
        )
        await setup.commit()
    async with sessions() as reopen, sessions() as export, sessions() as watcher:
        work_order = await lock_work_order(reopen, archived.tenant_id, archived.work_order_id)
        assert work_order is not None
        assert await reopen_refusal_for(reopen, work_order) is None
        work_order.status = WorkOrderStatus.COMPLETED
        await reopen.flush()

        pid = await _backend(export)
        claim = asyncio.create_task(
            export.execute(ARCHIVE_FOR_EXPORT, {"event_id": archived.event_id})
        )
        await _until_waiting_on_a_lock(watcher, pid)
        assert not claim.done()

        await reopen.commit()

        facts = (await claim).one()
        assert (facts.status, facts.archive_count, facts.state) == ("completed", 1, "inactive")
        await export.rollback()
