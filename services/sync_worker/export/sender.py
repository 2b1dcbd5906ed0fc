"""Exactly one concept invoice per archived work order (R-EXPORT-6, DESIGN D3).

One `invoice_exports` row per (tenant, work order) carries the export through

    pending ─checks fail→ failed          pending ─filter word→ skipped
    pending ─checks pass→ sending ─201→ sent
    sending ─timeout / reset / 5xx / crash→ unknown ─found by api_reference→ sent
                                               └─not found→ sending (POST again)

Every transition is a short transaction that locks the row (`FOR UPDATE`) and checks the
state it expects; `sending` is committed *before* the POST and no transaction is open while
Rompslomp is called (STYLE 1). A row found in `sending`/`unknown` (a crash, a killed worker,
an ambiguous answer) is always looked up in Rompslomp by its `api_reference` before any
other POST; a duplicate `api_reference` refused by Rompslomp (422) means "already there".

The first transaction also holds the work order `FOR SHARE`: simon_api's reopen locks it
`FOR UPDATE` and then reads the export's status, so a reopen either happens before us (the
event is stale, nothing is sent) or sees `pending`/`sending` and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.export import checks, mapping, products
from services.sync_worker.export.queue import IN_FLIGHT
from services.sync_worker.integration.rompslomp_connection import connected
from services.sync_worker.log import writer
from services.sync_worker.metrics import EXPORT_LATENCY, EXPORTS_FINISHED
from services.sync_worker.rompslomp import (
    AmbiguousOutcomeError,
    FatalError,
    RetriableError,
    RompslompClient,
    SalesInvoiceCreate,
)
from shared.clock import utcnow
from shared.events import WORK_ORDER_ARCHIVED, WorkOrderArchivedV1
from shared.models import (
    Integration,
    IntegrationSettings,
    InvoiceExport,
    OutboxEvent,
    WorkOrder,
)

FINAL = ("sent", "failed", "skipped")
# POSTs in one job run while answers stay ambiguous; then the job engine retries later.
MAX_POSTS_PER_RUN = 3

Outcome = Literal["sent", "failed", "skipped", "waiting", "ignored"]

log = structlog.get_logger("services.sync_worker.export")


class ExportNotFinished(Exception):
    """Rompslomp's answer left the export open (`unknown`): the job is retried later."""


@dataclass(frozen=True)
class Claim:
    """What the first transaction decided: send a new invoice, or reconcile one in flight."""

    mode: Literal["send", "reconcile"]
    export_id: int
    snapshot: WorkOrderArchivedV1
    settings: IntegrationSettings | None = None
    administration_id: int | None = None
    payload: dict[str, Any] | None = None


async def export_event(sessions: SessionFactory, rompslomp: Rompslomp, event_id: int) -> Outcome:
    """Export the work order of one `work_order.archived` event; safe to run any number of
    times, concurrently or after a crash at any instant."""
    async with sessions() as session:
        claim = await _claim(session, event_id)
        await session.commit()
    if isinstance(claim, str):
        return claim
    async with connected(rompslomp, sessions, claim.snapshot.tenant_id) as client:
        if claim.mode == "reconcile":
            return await _reconcile(sessions, client, claim)
        return await _send(sessions, client, claim)


# -- the first transaction: decide -------------------------------------------------------


async def _claim(session: AsyncSession, event_id: int) -> Claim | Outcome:
    event = await session.get(OutboxEvent, event_id)
    if event is None or event.event_type != WORK_ORDER_ARCHIVED:
        return "ignored"
    snapshot = WorkOrderArchivedV1.model_validate(event.payload)
    tenant_id, work_order_id = snapshot.tenant_id, snapshot.work_order_id
    work_order = (
        await session.execute(
            select(WorkOrder.status, WorkOrder.archive_count)
            .where(WorkOrder.id == work_order_id, WorkOrder.tenant_id == tenant_id)
            .with_for_update(read=True)
        )
    ).one_or_none()
    if work_order is None:
        return "ignored"  # wiped since
    state = await session.scalar(
        select(Integration.state).where(Integration.tenant_id == tenant_id)
    )
    if state in (None, "never_activated"):
        # Never exported: the first activation wipes the work orders (R-SETUP-2), and
        # without a row simon_api lets the office reopen them meanwhile.
        return "ignored"
    active = state == "active"
    current = work_order.status == "archived" and work_order.archive_count == snapshot.archive_seq
    if current:
        await session.execute(
            insert(InvoiceExport)
            .values(
                tenant_id=tenant_id,
                work_order_id=work_order_id,
                status="pending",
                api_reference=mapping.api_reference(tenant_id, work_order_id),
                event_id=event_id,
                archive_seq=snapshot.archive_seq,
                archived_at=snapshot.archived_at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "work_order_id"])
        )
    export = await _locked_export(session, tenant_id, work_order_id)
    if export is None:
        return "ignored"
    if export.status in IN_FLIGHT:
        # Something may exist in Rompslomp: settle it, whatever this event is.
        if not active:
            return "waiting"
        in_flight = await _in_flight_snapshot(session, export, event_id, snapshot)
        return Claim(
            mode="reconcile",
            export_id=export.id,
            snapshot=in_flight,
            administration_id=export.administration_id,
            payload=export.payload,
        )
    if not current or export.archive_seq > snapshot.archive_seq:
        log.info("export.event.stale", tenant_id=tenant_id, work_order_id=work_order_id)
        return "ignored"
    if export.archive_seq < snapshot.archive_seq:
        if export.status == "sent":
            log.warning(
                "export.rearchived_after_sent", tenant_id=tenant_id, work_order_id=work_order_id
            )
            return "ignored"
        _restart(export, event_id, snapshot)
    elif export.status in FINAL:
        return "ignored"  # this archive was exported already (a redelivered event)
    if not active:
        return "waiting"  # activation (state.activate) sends it
    settings = await session.get(IntegrationSettings, tenant_id, populate_existing=True)
    if settings is None:
        _fail(session, export, snapshot, [checks.not_configured(snapshot.number)])
        return "failed"
    if mapping.matches_filter_word(snapshot.description, settings.filter_word):
        _skip(
            session, export, snapshot, checks.filtered(snapshot.number, settings.filter_word or "")
        )
        return "skipped"
    problems = checks.local_problems(snapshot)
    if problems:
        _fail(session, export, snapshot, problems)
        return "failed"
    session.expunge(settings)
    return Claim(mode="send", export_id=export.id, snapshot=snapshot, settings=settings)


async def _locked_export(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> InvoiceExport | None:
    return await session.scalar(
        select(InvoiceExport)
        .where(InvoiceExport.tenant_id == tenant_id, InvoiceExport.work_order_id == work_order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _in_flight_snapshot(
    session: AsyncSession, export: InvoiceExport, event_id: int, fallback: WorkOrderArchivedV1
) -> WorkOrderArchivedV1:
    """The snapshot of the archive whose invoice is in flight (for the log's number)."""
    if export.event_id is None or export.event_id == event_id:
        return fallback
    event = await session.get(OutboxEvent, export.event_id)
    return WorkOrderArchivedV1.model_validate(event.payload) if event is not None else fallback


def _restart(export: InvoiceExport, event_id: int, snapshot: WorkOrderArchivedV1) -> None:
    """A new archive after a failed or skipped export (R-EXPORT-2: reopened, corrected)."""
    export.status = "pending"
    export.event_id = event_id
    export.archive_seq = snapshot.archive_seq
    export.archived_at = snapshot.archived_at
    export.attempts = 0
    export.last_error = None
    export.payload = None
    export.administration_id = None


# -- endings (in the caller's transaction) -------------------------------------------------


def _log(
    session: AsyncSession,
    snapshot: WorkOrderArchivedV1,
    problem: checks.Problem,
    level: writer.Level,
) -> None:
    writer.write(
        session,
        snapshot.tenant_id,
        level=level,
        table="work_order",
        work_order_id=snapshot.work_order_id,
        message=problem.message,
        action=problem.action,
        message_en=problem.message_en,
        action_en=problem.action_en,
    )


def _fail(
    session: AsyncSession,
    export: InvoiceExport,
    snapshot: WorkOrderArchivedV1,
    problems: list[checks.Problem],
) -> None:
    export.status = "failed"
    export.last_error = " ".join(p.message for p in problems)
    for problem in problems:
        _log(session, snapshot, problem, "error")
    EXPORTS_FINISHED.labels(status="failed").inc()
    log.info(
        "export.failed",
        tenant_id=snapshot.tenant_id,
        work_order_id=snapshot.work_order_id,
        problems=[p.code for p in problems],
    )


def _skip(
    session: AsyncSession,
    export: InvoiceExport,
    snapshot: WorkOrderArchivedV1,
    problem: checks.Problem,
) -> None:
    export.status = "skipped"
    export.last_error = None
    _log(session, snapshot, problem, "info")
    EXPORTS_FINISHED.labels(status="skipped").inc()
    log.info("export.skipped", tenant_id=snapshot.tenant_id, work_order_id=snapshot.work_order_id)


def _sent(
    session: AsyncSession, export: InvoiceExport, snapshot: WorkOrderArchivedV1, invoice_id: int
) -> None:
    now = utcnow()
    export.status = "sent"
    export.rompslomp_invoice_id = invoice_id
    export.sent_at = now
    export.last_error = None
    writer.write(
        session,
        snapshot.tenant_id,
        level="info",
        table="work_order",
        work_order_id=snapshot.work_order_id,
        message=f"Conceptfactuur aangemaakt in Rompslomp voor werkbon {snapshot.number}.",
        message_en=f"Concept invoice created in Rompslomp for work order {snapshot.number}.",
    )
    EXPORTS_FINISHED.labels(status="sent").inc()
    if export.archived_at is not None:
        EXPORT_LATENCY.observe(max(0.0, (now - export.archived_at).total_seconds()))
    log.info(
        "export.sent",
        tenant_id=snapshot.tenant_id,
        work_order_id=snapshot.work_order_id,
        invoice_id=invoice_id,
    )


# -- transitions, each its own transaction -------------------------------------------------


async def _transition(
    sessions: SessionFactory,
    claim: Claim,
    expect: tuple[str, ...],
    change: Any,
) -> bool:
    """Lock the row; apply `change(session, export)` only when its status is in `expect`."""
    async with sessions() as session:
        export = await session.get(
            InvoiceExport, claim.export_id, with_for_update=True, populate_existing=True
        )
        if export is None or export.status not in expect:
            await session.commit()
            return False
        change(session, export)
        await session.commit()
    return True


async def _finish_sent(sessions: SessionFactory, claim: Claim, invoice_id: int) -> Outcome:
    await _transition(
        sessions,
        claim,
        ("pending", *IN_FLIGHT),
        lambda session, export: _sent(session, export, claim.snapshot, invoice_id),
    )
    return "sent"


async def _finish_failed(
    sessions: SessionFactory, claim: Claim, problems: list[checks.Problem], expect: tuple[str, ...]
) -> Outcome:
    await _transition(
        sessions,
        claim,
        expect,
        lambda session, export: _fail(session, export, claim.snapshot, problems),
    )
    return "failed"


async def _mark_unknown(sessions: SessionFactory, claim: Claim, error: str) -> None:
    def change(session: AsyncSession, export: InvoiceExport) -> None:
        export.status = "unknown"
        export.last_error = error

    await _transition(sessions, claim, IN_FLIGHT, change)


async def _mark_sending(
    sessions: SessionFactory,
    claim: Claim,
    expect: tuple[str, ...],
    *,
    administration_id: int,
    payload: dict[str, Any],
) -> bool:
    def change(session: AsyncSession, export: InvoiceExport) -> None:
        export.status = "sending"
        export.administration_id = administration_id
        export.payload = payload
        export.attempts += 1

    return await _transition(sessions, claim, expect, change)


# -- talking to Rompslomp (no transaction open) -------------------------------------------


async def _send(sessions: SessionFactory, client: RompslompClient, claim: Claim) -> Outcome:
    settings = claim.settings
    snapshot = claim.snapshot
    assert settings is not None
    assert snapshot.customer is not None
    assert snapshot.customer.rompslomp_id is not None
    try:
        resolved = await products.resolve(client, settings, snapshot)
    except FatalError as exc:
        problem = checks.refused(snapshot.number, _reason(exc))
        return await _finish_failed(sessions, claim, [problem], ("pending",))
    if resolved.problems:
        return await _finish_failed(sessions, claim, resolved.problems, ("pending",))
    lines = mapping.invoice_lines(snapshot, resolved.settings, resolved.material_products)
    invoice = mapping.sales_invoice(snapshot, lines, contact_id=snapshot.customer.rompslomp_id)
    payload = invoice.to_payload()
    administration_id = settings.administration_id
    if not await _mark_sending(
        sessions, claim, ("pending",), administration_id=administration_id, payload=payload
    ):
        return "ignored"
    return await _post(sessions, client, claim, administration_id, payload)


async def _reconcile(sessions: SessionFactory, client: RompslompClient, claim: Claim) -> Outcome:
    administration_id, payload = claim.administration_id, claim.payload
    if administration_id is None or payload is None:
        raise ExportNotFinished("an export in flight without its administration or payload")
    reference = mapping.api_reference(claim.snapshot.tenant_id, claim.snapshot.work_order_id)
    found = await client.find_sales_invoice_by_api_reference(administration_id, reference)
    if found is not None:
        log.info("export.reconciled.found", work_order_id=claim.snapshot.work_order_id)
        return await _finish_sent(sessions, claim, found.id)
    if not await _mark_sending(
        sessions, claim, IN_FLIGHT, administration_id=administration_id, payload=payload
    ):
        return "ignored"
    return await _post(sessions, client, claim, administration_id, payload)


def _reason(error: FatalError) -> str:
    """Rompslomp's own words (its Dutch validation messages) when it gave them."""
    messages = [f.message for f in error.field_errors if f.message]
    return ("; ".join(messages) + ".") if messages else error.message


def _duplicate_reference(error: FatalError) -> bool:
    text = " ".join([error.message, *(f.message for f in error.field_errors)]).lower()
    return error.status == 422 and ("api reference" in text or "api_reference" in text)


async def _post(
    sessions: SessionFactory,
    client: RompslompClient,
    claim: Claim,
    administration_id: int,
    payload: dict[str, Any],
) -> Outcome:
    """POST while `sending`; an ambiguous answer is settled by a lookup before POSTing again."""
    invoice = SalesInvoiceCreate.model_validate(payload)
    reference = invoice.api_reference or ""
    work_order_id = claim.snapshot.work_order_id
    for attempt in range(1, MAX_POSTS_PER_RUN + 1):
        try:
            created = await client.create_sales_invoice(administration_id, invoice)
        except AmbiguousOutcomeError as exc:
            log.info("export.post.ambiguous", work_order_id=work_order_id, code=exc.code)
            await _mark_unknown(sessions, claim, exc.message)
        except RetriableError as exc:
            # Not processed (429, connect failure), but `unknown` costs only a lookup.
            await _mark_unknown(sessions, claim, exc.message)
            raise
        except FatalError as exc:
            if not _duplicate_reference(exc):
                problem = checks.refused(claim.snapshot.number, _reason(exc))
                return await _finish_failed(sessions, claim, [problem], ("sending",))
            log.info("export.post.duplicate_reference", work_order_id=work_order_id)
            await _mark_unknown(sessions, claim, exc.message)
        else:
            return await _finish_sent(sessions, claim, created.id)
        found = await client.find_sales_invoice_by_api_reference(administration_id, reference)
        if found is not None:
            return await _finish_sent(sessions, claim, found.id)
        if attempt == MAX_POSTS_PER_RUN:
            break
        if not await _mark_sending(
            sessions, claim, ("unknown",), administration_id=administration_id, payload=payload
        ):
            return "ignored"
    raise ExportNotFinished(f"export of work order {work_order_id} still unknown")
