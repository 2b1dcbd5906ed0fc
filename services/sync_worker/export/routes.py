"""`/api/v1/integration`: invoice preview and the exports list (retry and check: actions.py).

Office keys only; every query is scoped by the caller's tenant (another tenant's work
order answers 404). The preview reads the domain tables, ends its transaction, then asks
Rompslomp (STYLE 1).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from services.sync_worker.deps import OfficeDep, RompslompDep, SessionDep, SessionsDep
from services.sync_worker.export import checks, mapping, products
from services.sync_worker.export.actions import router as actions_router
from services.sync_worker.export.decision import Fail, Situation, Skip, Wait, WorkOrderNow, decide
from services.sync_worker.export.schemas import (
    ExportOut,
    ExportPage,
    InvoicePreview,
    PreviewLine,
    PreviewProblem,
)
from services.sync_worker.export.sender import timing
from services.sync_worker.rompslomp import RompslompError
from services.sync_worker.rompslomp.connection import connected
from shared.clock import utcnow
from shared.cursor import decode_cursor, encode_cursor
from shared.enums import IntegrationState, WorkOrderStatus
from shared.export_status import ExportStatus
from shared.ids import MAX_ID, PathId
from shared.models.integration import Integration, InvoiceExport
from shared.models.integration_setup import IntegrationSettings
from shared.problems import (
    PROBLEM_RESPONSES,
    NotFound,
    documented,
)
from shared.work_order_reads import current_snapshot, work_order_number

router = APIRouter(prefix="/api/v1/integration", tags=["exports"], responses=PROBLEM_RESPONSES)
EXPORT_CURSOR = "e"  # marks the exports list's cursors
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")

UNREACHABLE = checks.Problem(
    "rompslomp_unreachable",
    "Rompslomp kon niet worden gecontroleerd; prijzen en btw komen uit de opgeslagen instellingen.",
    "Probeer het over een moment opnieuw.",
    "Rompslomp could not be checked; prices and VAT come from the saved settings.",
    "Try again in a moment.",
)


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
    snapshot = await current_snapshot(session, tenant_id, work_order_id)
    if snapshot is None:
        raise NotFound(f"Work order {work_order_id} not found.", code="work_order_not_found")
    settings = await session.get(IntegrationSettings, tenant_id)
    state = await session.scalar(
        select(Integration.state).where(Integration.tenant_id == tenant_id)
    )
    if settings is not None:
        session.expunge(settings)
    await session.commit()

    # What an archive would meet now: the decision the sender makes, on this snapshot. A
    # tenant that never activated is shown as "not active" with everything else in the way.
    decision = decide(
        Situation(
            snapshot=snapshot,
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, snapshot.archive_seq),
            export=None,
            integration_state=IntegrationState.INACTIVE
            if state in (None, IntegrationState.NEVER_ACTIVATED)
            else state,
            configured=settings is not None,
            filter_word=settings.filter_word if settings is not None else None,
            now=utcnow(),
        ),
        timing(rompslomp),
    )
    problems = list(decision.blocking) if isinstance(decision, Wait | Fail | Skip) else []
    invoice_settings = mapping.InvoiceSettings()
    material_products: dict[int, mapping.ProductInfo] = {}
    if settings is not None:
        invoice_settings = products.settings_as_stored(settings)
        try:
            async with connected(rompslomp, sessions, tenant_id) as client:
                resolved = await products.resolve(
                    client, settings, snapshot, check_customer=checks.customer_usable(snapshot)
                )
            invoice_settings = resolved.settings
            material_products = resolved.material_products
            problems.extend(resolved.problems)
        except RompslompError:
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
        select(InvoiceExport, work_order_number(InvoiceExport.work_order_id))
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
        items=[ExportOut.of(export, number) for export, number in rows],
        next_cursor=encode_cursor(rows[-1][0].id, EXPORT_CURSOR) if more else None,
    )


# Resending and checking an export (POST .../retry, .../check) live in actions.py.
router.include_router(actions_router)
