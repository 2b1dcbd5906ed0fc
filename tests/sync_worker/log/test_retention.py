"""Retention (issue 11 §5): log entries older than LOG_RETENTION_DAYS and processed outbox
events older than 30 days go, in batches; an event an unfinished or failed export still
needs stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.log import retention
from shared.clock import utcnow
from shared.db import SessionFactory
from shared.enums import LogLevel, WorkOrderStatus
from shared.export_status import ExportStatus
from shared.models import IntegrationLogEntry, InvoiceExport, OutboxEvent, WorkOrder
from tests.support.tenants import TenantKey


def _sessions(session: AsyncSession) -> SessionFactory:
    @asynccontextmanager
    async def unit_of_work() -> AsyncIterator[AsyncSession]:
        yield session

    return unit_of_work


Counted = type[IntegrationLogEntry] | type[InvoiceExport] | type[OutboxEvent] | type[WorkOrder]


async def _count(session: AsyncSession, model: Counted, tenant_id: int) -> int:
    query = select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
    return int(await session.scalar(query) or 0)


async def test_old_log_entries_go_in_batches(session: AsyncSession, office: TenantKey) -> None:
    old = retention.BATCH * 2 + 7
    await session.execute(
        text(
            "INSERT INTO integration_log (tenant_id, at, level, message, action) "
            "SELECT :t, now() - make_interval(days => 400), 'info', 'oud ' || n, '-' "
            "FROM generate_series(1, :n) AS n"
        ),
        {"t": office.tenant_id, "n": old},
    )
    session.add(
        IntegrationLogEntry(
            tenant_id=office.tenant_id, level=LogLevel.INFO, message="nieuw", action="-"
        )
    )
    await session.commit()

    removed = await retention.remove_old(_sessions(session), log_days=365)

    assert removed["integration_log"] >= old
    assert await _count(session, IntegrationLogEntry, office.tenant_id) == 1


async def test_processed_outbox_events_go_after_thirty_days_unless_still_needed(
    session: AsyncSession, office: TenantKey
) -> None:
    now = utcnow()

    def event(processed_days_ago: float | None) -> OutboxEvent:
        return OutboxEvent(
            tenant_id=office.tenant_id,
            event_type="work_order.archived",
            version=1,
            aggregate_id=1,
            payload={},
            processed_at=None
            if processed_days_ago is None
            else now - timedelta(days=processed_days_ago),
        )

    gone, recent, unprocessed, for_failed, for_sent = (
        event(40),
        event(10),
        event(None),
        event(40),
        event(40),
    )
    session.add_all([gone, recent, unprocessed, for_failed, for_sent])
    await session.flush()
    for number, (status, source) in enumerate(
        ((ExportStatus.FAILED, for_failed), (ExportStatus.SENT, for_sent)), 1
    ):
        work_order = WorkOrder(
            tenant_id=office.tenant_id, number=f"R{number}", status=WorkOrderStatus.ARCHIVED
        )
        session.add(work_order)
        await session.flush()
        session.add(
            InvoiceExport(
                tenant_id=office.tenant_id,
                work_order_id=work_order.id,
                status=status,
                api_reference=f"r-{number}",
                event_id=source.id,
            )
        )
    await session.commit()

    removed = await retention.remove_old(_sessions(session), log_days=365)

    assert removed["outbox_events"] >= 2
    left = set(
        await session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.tenant_id == office.tenant_id)
        )
    )
    assert left == {recent.id, unprocessed.id, for_failed.id}
