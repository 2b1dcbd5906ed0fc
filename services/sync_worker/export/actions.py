"""What the office does to one export: resend a failed one, check a sent one in Rompslomp.

- `POST /exports/{work_order_id}/retry`: the same decision the sender makes (with the
  office's "resend"); when it would send, the export starts over (transitions.restart)
  and a job is queued, in one transaction.
- `POST /exports/{work_order_id}/check`: is the sent concept invoice still in Rompslomp?
  Gone (the office deleted it to start again) → `removed`, and simon_api allows reopen.

Office keys only; another tenant's work order answers 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import OfficeDep, RompslompDep, SessionDep, SessionsDep
from services.sync_worker.export import transitions
from services.sync_worker.export.decision import (
    ExportNow,
    Fail,
    Ignore,
    Reconcile,
    Situation,
    WorkOrderNow,
    decide,
)
from services.sync_worker.export.lookup import invoice_exists
from services.sync_worker.export.queue import defer_export
from services.sync_worker.export.schemas import ExportOut
from services.sync_worker.export.sender import timing
from services.sync_worker.problems import THROTTLED, rompslomp_problems
from services.sync_worker.rompslomp.connection import connected
from shared.clock import utcnow
from shared.events import WorkOrderArchivedV1
from shared.export_status import ExportStatus
from shared.ids import PathId
from shared.models.integration import Integration, InvoiceExport
from shared.models.integration_setup import IntegrationSettings
from shared.models.outbox import OutboxEvent
from shared.problems import Conflict, NotFound, documented
from shared.work_order_rules import lock_work_order_for_export

router = APIRouter()
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")


async def _locked(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> tuple[WorkOrderNow, str, InvoiceExport]:
    """The work order (FOR SHARE, as the sender holds it) and its export row (FOR UPDATE),
    in that order (shared/work_order_rules.py)."""
    work_order = await lock_work_order_for_export(session, tenant_id, work_order_id)
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
    return WorkOrderNow(work_order.status, work_order.archive_count), work_order.number, export


async def _out(session: AsyncSession, export: InvoiceExport, number: str) -> ExportOut:
    await session.flush()
    await session.refresh(export, ["updated_at"])
    return ExportOut.of(export, number)


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
async def retry_export(
    work_order_id: PathId, session: SessionDep, rompslomp: RompslompDep, office: OfficeDep
) -> ExportOut:
    """Resend a failed export with the settings in force (after the cause was fixed)."""
    tenant_id = office.tenant_id
    work_order, number, export = await _locked(session, tenant_id, work_order_id)
    event = await session.get(OutboxEvent, export.event_id) if export.event_id else None
    if event is None:
        raise Conflict(
            f"Work order {number} must be archived again to be sent.", code="export_blocked"
        )
    snapshot = WorkOrderArchivedV1.model_validate(event.payload)
    settings = await session.get(IntegrationSettings, tenant_id)
    decision = decide(
        Situation(
            snapshot=snapshot,
            work_order=work_order,
            export=ExportNow(ExportStatus(export.status), export.archive_seq, export.api_reference),
            integration_state=await session.scalar(
                select(Integration.state).where(Integration.tenant_id == tenant_id)
            ),
            configured=settings is not None,
            filter_word=settings.filter_word if settings is not None else None,
            now=utcnow(),
            retry=True,
        ),
        timing(rompslomp),
    )
    if isinstance(decision, Ignore) and decision.reason == "not_failed":
        raise Conflict(
            f"The export of work order {number} is {export.status}; only a failed export can "
            "be resent.",
            code="export_not_failed",
        )
    if isinstance(decision, Ignore | Reconcile):
        raise Conflict(
            f"Work order {number} was reopened; archive it again to send it.",
            code="export_blocked",
        )
    if isinstance(decision, Fail):
        raise Conflict(
            " ".join(f"{p.message_en} {p.action_en}" for p in decision.problems),
            code="export_blocked",
        )
    assert decision.restart is not None
    transitions.restart(export, event.id, snapshot, decision.restart.api_reference)
    await defer_export(session, tenant_id, work_order_id, event.id)
    out = await _out(session, export, number)
    await session.commit()
    return out


@router.post(
    "/exports/{work_order_id}/check",
    response_model=ExportOut,
    responses={
        **OFFICE_ONLY,
        **documented(409, "`export_not_sent`: only a sent export has an invoice to check"),
        **documented(502, "`rompslomp_unavailable`: Rompslomp could not be asked"),
        **THROTTLED,
    },
)
async def check_export(
    work_order_id: PathId,
    session: SessionDep,
    sessions: SessionsDep,
    rompslomp: RompslompDep,
    office: OfficeDep,
) -> ExportOut:
    """Look the sent concept invoice up in Rompslomp; deleted there → `removed` (the work
    order may then be reopened, and its next archive sends a new concept invoice)."""
    tenant_id = office.tenant_id
    _, number, export = await _locked(session, tenant_id, work_order_id)
    administration_id, invoice_id = export.administration_id, export.rompslomp_invoice_id
    if export.status != ExportStatus.SENT or administration_id is None or invoice_id is None:
        raise Conflict(
            f"The export of work order {number} is {export.status}; only a sent export can be "
            "checked.",
            code="export_not_sent",
        )
    await session.commit()  # no transaction open while Rompslomp answers (STYLE 1)
    with rompslomp_problems():
        async with connected(rompslomp, sessions, tenant_id) as client:
            exists = await invoice_exists(client, administration_id, invoice_id)
    _, number, export = await _locked(session, tenant_id, work_order_id)
    if not exists:
        transitions.removed(session, export, number, invoice_id)
    out = await _out(session, export, number)
    await session.commit()
    return out
