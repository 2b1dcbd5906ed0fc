"""Gathers what the work-order PDF shows, then draws it away from the event loop."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.simon_api.work_order_pdf.document import WorkOrderDocument, render
from services.simon_api.work_orders.service import get_work_order
from shared.auth import Principal
from shared.models import Tenant, WorkOrderSignature
from shared.snapshot import work_order_snapshot


async def work_order_pdf(
    session: AsyncSession, principal: Principal, work_order_id: int
) -> tuple[str, bytes]:
    """The work order's number and its PDF."""
    work_order = await get_work_order(session, principal.tenant_id, work_order_id)
    snapshot = await work_order_snapshot(session, work_order)
    company = await session.scalar(select(Tenant.name).where(Tenant.id == principal.tenant_id))
    image = await session.scalar(
        select(WorkOrderSignature.image).where(WorkOrderSignature.work_order_id == work_order.id)
    )
    document = WorkOrderDocument(
        company=company or "",
        status=work_order.status,
        work_order=snapshot,
        signature_png=image,
    )
    # fpdf2 is pure Python: tens of milliseconds of CPU that other requests should not wait on.
    return work_order.number, await run_in_threadpool(render, document)
