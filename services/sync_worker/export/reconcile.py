"""The daily check that the concept invoices we sent are still in Rompslomp.

The office may throw a concept invoice away in Rompslomp to start again. Per administration
the invoices are listed by invoice date over the span of the tenant's exports sent in the
last 90 days (one request per 100 invoices, not one per export); an invoice missing from a
complete listing is confirmed with a GET (its date may have been changed in Rompslomp),
and only a 404 makes the export `removed`, which lets simon_api reopen the work order.
An incomplete listing removes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select

from services.sync_worker.export import transitions
from services.sync_worker.export.lookup import invoice_exists
from services.sync_worker.export.queue import RECONCILE_DAYS
from services.sync_worker.rompslomp.connection import Rompslomp, connected
from shared.clock import AMSTERDAM, today_in_amsterdam, utcnow
from shared.db import SessionFactory
from shared.enums import IntegrationState
from shared.export_status import ExportStatus
from shared.models.integration import Integration, InvoiceExport
from shared.work_order_reads import work_order_number

log = structlog.get_logger("services.sync_worker.export")


async def _sent_exports(sessions: SessionFactory, tenant_id: int) -> list[Any]:
    async with sessions() as session:
        state = await session.scalar(
            select(Integration.state).where(Integration.tenant_id == tenant_id)
        )
        rows = (
            await session.execute(
                select(
                    InvoiceExport.id,
                    InvoiceExport.administration_id,
                    InvoiceExport.rompslomp_invoice_id,
                    InvoiceExport.sent_at,
                    work_order_number(InvoiceExport.work_order_id).label("number"),
                )
                .where(
                    InvoiceExport.tenant_id == tenant_id,
                    InvoiceExport.status == ExportStatus.SENT,
                    InvoiceExport.sent_at >= utcnow() - timedelta(days=RECONCILE_DAYS),
                    InvoiceExport.administration_id.is_not(None),
                    InvoiceExport.rompslomp_invoice_id.is_not(None),
                )
            )
        ).all()
        await session.commit()
    return list(rows) if state == IntegrationState.ACTIVE else []


async def reconcile_tenant(sessions: SessionFactory, rompslomp: Rompslomp, tenant_id: int) -> int:
    """Mark the tenant's sent exports whose invoice was deleted in Rompslomp `removed`; how
    many were."""
    by_administration: dict[int, list[Any]] = defaultdict(list)
    for row in await _sent_exports(sessions, tenant_id):
        by_administration[row.administration_id].append(row)
    gone: list[Any] = []
    async with connected(rompslomp, sessions, tenant_id) as client:
        for administration_id, exports in by_administration.items():
            earliest = min(row.sent_at for row in exports).astimezone(AMSTERDAM).date()
            listing = client.iter_sales_invoices(
                administration_id,
                date_from=earliest - timedelta(days=1),
                date_till=today_in_amsterdam() + timedelta(days=1),
            )
            listed = {invoice.id async for invoice in listing.records()}
            if not listing.complete:
                log.warning(
                    "export.reconcile.incomplete",
                    tenant_id=tenant_id,
                    administration_id=administration_id,
                )
                continue
            for row in exports:
                if row.rompslomp_invoice_id in listed:
                    continue
                if not await invoice_exists(client, administration_id, row.rompslomp_invoice_id):
                    gone.append(row)
    if gone:
        async with sessions() as session:
            for row in gone:
                export = await session.get(
                    InvoiceExport, row.id, with_for_update=True, populate_existing=True
                )
                if export is not None:
                    transitions.removed(session, export, row.number, row.rompslomp_invoice_id)
            await session.commit()
    log.info(
        "export.reconcile.finished",
        tenant_id=tenant_id,
        checked=sum(map(len, by_administration.values())),
        removed=len(gone),
    )
    return len(gone)
