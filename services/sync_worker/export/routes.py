"""`/api/v1/integration`: invoice preview, the exports list and resending a failed export.

Office keys only; every query is scoped by the caller's tenant (another tenant's work
order answers 404). The preview reads the domain tables, ends its transaction, then asks
Rompslomp (STYLE 1).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import OfficeDep, RompslompDep, SessionDep, SessionsDep
from services.sync_worker.export import checks, mapping, products
from services.sync_worker.export.queue import defer_export
from services.sync_worker.export.schemas import (
    ExportOut,
    ExportPage,
    ExportStatus,
    InvoicePreview,
    PreviewLine,
    PreviewProblem,
)
from services.sync_worker.integration.rompslomp_connection import connected
from services.sync_worker.integration.state import find_integration
from shared.cursor import decode_cursor, encode_cursor
from shared.events import WorkOrderArchivedV1
from shared.ids import MAX_ID, PathId
from shared.models import IntegrationSettings, InvoiceExport, OutboxEvent, WorkOrder
from shared.problems import (
    PROBLEM_RESPONSES,
    Conflict,
    DomainError,
    NotFound,
    documented,
)
from shared.snapshot import work_order_snapshot

router = APIRouter(prefix="/api/v1/integration", tags=["exports"], responses=PROBLEM_RESPONSES)
EXPORT_CURSOR = "e"  # marks the exports list's cursors
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")

NOT_ACTIVE = checks.Problem(
    "integration_not_active",
    "De integratie met Rompslomp is niet actief: er wordt niets verstuurd.",
    "Activeer de integratie bij Integraties → Rompslomp.",
    "The Rompslomp integration is not active: nothing is sent.",
    "Activate the integration in Integrations → Rompslomp.",
)
UNREACHABLE = checks.Problem(
    "rompslomp_unreachable",
    "Rompslomp kon niet worden gecontroleerd; prijzen en btw komen uit de opgeslagen instellingen.",
    "Probeer het over een moment opnieuw.",
    "Rompslomp could not be checked; prices and VAT come from the saved settings.",
    "Try again in a moment.",
)


async def _work_order(session: AsyncSession, tenant_id: int, work_order_id: int) -> WorkOrder:
    work_order = await session.scalar(
        select(WorkOrder).where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
    )
    if work_order is None:
        raise NotFound(f"Work order {work_order_id} not found.", code="work_order_not_found")
    return work_order


def _problem_out(problem: checks.Problem) -> PreviewProblem:
    return PreviewProblem(
        code=problem.code,
        message=problem.message,
        action=problem.action,
        message_en=problem.message_en,
        action_en=problem.action_en,
    )


@router.get(
    "/work-orders/{work_order_id}/invoice-preview",
    response_model=InvoicePreview,
    responses=OFFICE_ONLY,
)
async def invoice_preview(
    work_order_id: PathId,
    session: SessionDep,
    sessions: SessionsDep,
    rompslomp: RompslompDep,
    office: OfficeDep,
) -> InvoicePreview:
    """The concept invoice this work order would produce now, and what would block it."""
    tenant_id = office.tenant_id
    work_order = await _work_order(session, tenant_id, work_order_id)
    snapshot = await work_order_snapshot(session, work_order)
    settings = await session.get(IntegrationSettings, tenant_id)
    integration = await find_integration(session, tenant_id)
    if settings is not None:
        session.expunge(settings)
    await session.commit()

    problems: list[checks.Problem] = []
    if integration is None or integration.state != "active":
        problems.append(NOT_ACTIVE)
    if settings is not None and mapping.matches_filter_word(
        snapshot.description, settings.filter_word
    ):
        problems.append(checks.filtered(snapshot.number, settings.filter_word or ""))
    local = checks.local_problems(snapshot)
    problems.extend(local)
    invoice_settings = mapping.InvoiceSettings()
    material_products: dict[int, mapping.ProductInfo] = {}
    if settings is None:
        problems.append(checks.not_configured(snapshot.number))
    else:
        invoice_settings = products.settings_as_stored(settings)
        customer_checked = not any(
            p.code.startswith("customer") or p.code == "no_customer" for p in local
        )
        try:
            async with connected(rompslomp, sessions, tenant_id) as client:
                resolved = await products.resolve(
                    client, settings, snapshot, check_customer=customer_checked
                )
            invoice_settings = resolved.settings
            material_products = resolved.material_products
            problems.extend(resolved.problems)
        except DomainError:
            problems.append(UNREACHABLE)
    lines = mapping.invoice_lines(snapshot, invoice_settings, material_products)
    return InvoicePreview(
        work_order_id=work_order_id,
        number=snapshot.number,
        description=mapping.invoice_description(snapshot),
        lines=[
            PreviewLine(
                description=line.description,
                extended_description=line.extended_description,
                quantity=line.quantity,
                price_per_unit=line.price_per_unit,
                product_id=line.product_id,
                vat_type_id=line.vat_type_id,
            )
            for line in lines
        ],
        problems=[_problem_out(p) for p in problems],
        would_send=not problems,
    )


def _export_out(export: InvoiceExport, number: str | None) -> ExportOut:
    return ExportOut(
        id=export.id,
        work_order_id=export.work_order_id,
        number=number,
        status=export.status,
        api_reference=export.api_reference,
        rompslomp_invoice_id=export.rompslomp_invoice_id,
        archive_seq=export.archive_seq,
        attempts=export.attempts,
        last_error=export.last_error,
        archived_at=export.archived_at,
        sent_at=export.sent_at,
        created_at=export.created_at,
        updated_at=export.updated_at,
    )


@router.get("/exports", response_model=ExportPage, responses=OFFICE_ONLY)
async def list_exports(
    session: SessionDep,
    office: OfficeDep,
    status: ExportStatus | None = None,
    work_order_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="One work order's export.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size (max 200).")] = 50,
    cursor: Annotated[str | None, Query(max_length=64, description="From `next_cursor`.")] = None,
) -> ExportPage:
    """Export rows, newest first."""
    query = (
        select(InvoiceExport, WorkOrder.number)
        .outerjoin(WorkOrder, WorkOrder.id == InvoiceExport.work_order_id)
        .where(InvoiceExport.tenant_id == office.tenant_id)
        .order_by(InvoiceExport.id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(InvoiceExport.status == status)
    if work_order_id is not None:
        query = query.where(InvoiceExport.work_order_id == work_order_id)
    if cursor is not None:
        query = query.where(InvoiceExport.id < decode_cursor(cursor, EXPORT_CURSOR))
    rows = (await session.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return ExportPage(
        items=[_export_out(export, number) for export, number in rows],
        next_cursor=encode_cursor(rows[-1][0].id, EXPORT_CURSOR) if more else None,
    )


@router.post(
    "/exports/{work_order_id}/retry",
    response_model=ExportOut,
    status_code=202,
    responses={
        **OFFICE_ONLY,
        **documented(
            409,
            "`export_not_failed`: only a failed export is resent; `export_blocked`: the work "
            "order itself must be corrected (reopen, correct, archive again)",
        ),
    },
)
async def retry_export(work_order_id: PathId, session: SessionDep, office: OfficeDep) -> ExportOut:
    """Resend a failed export with the settings in force (after the cause was fixed)."""
    tenant_id = office.tenant_id
    work_order = (
        await session.execute(
            select(WorkOrder.number, WorkOrder.status, WorkOrder.archive_count)
            .where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
            .with_for_update(read=True)
        )
    ).one_or_none()
    if work_order is None:
        raise NotFound(f"Work order {work_order_id} not found.", code="work_order_not_found")
    export = await session.scalar(
        select(InvoiceExport)
        .where(InvoiceExport.tenant_id == tenant_id, InvoiceExport.work_order_id == work_order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if export is None:
        raise NotFound(f"Work order {work_order_id} has no export.", code="export_not_found")
    if export.status != "failed":
        raise Conflict(
            f"The export of work order {work_order.number} is {export.status}; only a failed "
            "export can be resent.",
            code="export_not_failed",
        )
    if work_order.status != "archived" or work_order.archive_count != export.archive_seq:
        raise Conflict(
            f"Work order {work_order.number} was reopened; archive it again to send it.",
            code="export_blocked",
        )
    event = await session.get(OutboxEvent, export.event_id) if export.event_id else None
    if event is None:
        raise Conflict(
            f"Work order {work_order.number} must be archived again to be sent.",
            code="export_blocked",
        )
    snapshot = WorkOrderArchivedV1.model_validate(event.payload)
    blocking = checks.local_problems(snapshot)
    if blocking:
        raise Conflict(
            " ".join(f"{p.message_en} {p.action_en}" for p in blocking), code="export_blocked"
        )
    export.status = "pending"
    export.attempts = 0
    export.last_error = None
    await defer_export(session, tenant_id, work_order_id, event.id)
    await session.flush()
    await session.refresh(export, ["updated_at"])
    out = _export_out(export, work_order.number)
    await session.commit()
    return out
