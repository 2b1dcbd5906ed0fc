"""Exactly one concept invoice per archived work order (R-EXPORT-6, DESIGN D3), against
the worst Rompslomp its spec allows.

One `invoice_exports` row per (tenant, work order) carries the export (the statuses are in
shared/export_status.py). A run of the export job:

1. one short transaction locks the row (inserting it for a current archive), reads the
   facts and lets `decision.decide` choose; endings without Rompslomp (failed, skipped, a
   reset for a new archive, an expired lease) are written in it;
2. with no transaction open (STYLE 1), it talks to Rompslomp: `Send` builds the invoice,
   commits `sending` (re-checking under the lock that the integration is still active and
   the work order still archived at this archive: R-SETUP-7), then POSTs once; `Reconcile`
   looks the invoice up by `api_reference` first and POSTs only when it is not there.

An ambiguous answer (timeout, dropped connection, 5xx, 408, an unreadable 2xx) makes the
export `unknown`: no second POST in this run, and no lookup before `EXPORT_SETTLE_SECONDS`
have passed (Rompslomp may still be committing it; its `api_reference` check is not
promised to be race-free). A refusal (4xx) is looked up before `failed`: it may be an
earlier attempt's invoice refused as a duplicate. `sent` wins from any state.

Waiting never happens in a worker slot: `ExportWaits` sends the job back to the queue,
scheduled for the moment (export/tasks.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.export import checks, mapping, products, transitions
from services.sync_worker.export.decision import (
    ExportNow,
    Fail,
    Ignore,
    Reconcile,
    Send,
    Situation,
    Skip,
    Timing,
    Wait,
    WorkOrderNow,
    decide,
)
from services.sync_worker.export.lookup import Found, find_invoice
from services.sync_worker.integration.rompslomp_connection import (
    RompslompThrottled,
    connected,
)
from services.sync_worker.rompslomp import (
    AmbiguousOutcomeError,
    AuthRevokedError,
    FatalError,
    RetriableError,
    RompslompClient,
    SalesInvoiceCreate,
)
from shared.clock import utcnow
from shared.events import WORK_ORDER_ARCHIVED, WorkOrderArchivedV1
from shared.export_status import IN_FLIGHT, ExportStatus
from shared.models import (
    Integration,
    IntegrationSettings,
    InvoiceExport,
    OutboxEvent,
    RompslompConnection,
    WorkOrder,
)

Outcome = Literal["sent", "failed", "skipped", "waiting", "ignored"]

log = structlog.get_logger("services.sync_worker.export")


class ExportWaits(Exception):
    """Not now: the job goes back to the queue, scheduled for `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(f"export waits until {until.isoformat()} ({reason})")
        self.until = until
        self.reason = reason


def timing(rompslomp: Rompslomp) -> Timing:
    settings = rompslomp.settings
    return Timing(
        settle=timedelta(seconds=settings.export_settle_seconds),
        post_deadline=timedelta(seconds=settings.export_post_timeout_seconds),
        max_pause=timedelta(seconds=rompslomp.retry.max_retry_after),
    )


@dataclass(frozen=True)
class Claim:
    """What the first transaction handed to the Rompslomp phase."""

    decision: Send | Reconcile
    export_id: int
    snapshot: WorkOrderArchivedV1
    connection: RompslompConnection | None  # the stored tokens, read with the facts
    settings: IntegrationSettings | None = None
    administration_id: int | None = None
    payload: dict[str, Any] | None = None
    sending: bool = False  # `sending` was committed with the claim: POST at once


def _payload(snapshot: WorkOrderArchivedV1, resolved: products.Resolved, reference: str) -> Any:
    """The concept invoice to POST, as stored with `sending` (reconciled against later)."""
    assert snapshot.customer is not None
    assert snapshot.customer.rompslomp_id is not None
    lines = mapping.invoice_lines(snapshot, resolved.settings, resolved.material_products)
    invoice = mapping.sales_invoice(snapshot, lines, contact_id=snapshot.customer.rompslomp_id)
    return invoice.model_copy(update={"api_reference": reference}).to_payload()


async def export_event(sessions: SessionFactory, rompslomp: Rompslomp, event_id: int) -> Outcome:
    """Export the work order of one `work_order.archived` event; safe to run any number of
    times, concurrently or after a crash at any instant. Raises `ExportWaits` to be run
    again later."""
    rules = timing(rompslomp)
    async with sessions() as session:
        claim = await _claim(session, rompslomp, event_id, rules)
        await session.commit()
    if isinstance(claim, ExportWaits):
        raise claim
    if isinstance(claim, str):
        return claim
    try:
        tenant_id = claim.snapshot.tenant_id
        async with connected(rompslomp, sessions, tenant_id, stored=claim.connection) as client:
            if isinstance(claim.decision, Reconcile):
                return await _reconcile(sessions, client, claim, rules)
            return await _send(sessions, client, claim, rules)
    except RompslompThrottled as exc:
        raise ExportWaits(utcnow() + timedelta(seconds=exc.retry_after), "throttled") from exc


# -- the first transaction: decide -------------------------------------------------------


async def _claim(
    session: AsyncSession, rompslomp: Rompslomp, event_id: int, rules: Timing
) -> Claim | Outcome | ExportWaits:
    # One statement reads every fact, and locks the work order and the integration FOR
    # SHARE: simon_api's reopen locks the work order FOR UPDATE and then reads the export's
    # status, so a reopen happens either before us (this event is stale) or after our
    # `pending`/`sending` is committed (and is refused); a deactivation likewise. No row:
    # no such event, its work order wiped since, or a tenant that never activated.
    facts = (
        await session.execute(
            select(
                OutboxEvent.event_type,
                OutboxEvent.payload,
                WorkOrder.status,
                WorkOrder.archive_count,
                Integration.state,
                IntegrationSettings,
                RompslompConnection,
            )
            .join(
                WorkOrder,
                and_(
                    WorkOrder.id == OutboxEvent.aggregate_id,
                    WorkOrder.tenant_id == OutboxEvent.tenant_id,
                ),
            )
            .join(Integration, Integration.tenant_id == OutboxEvent.tenant_id)
            .outerjoin(IntegrationSettings, IntegrationSettings.tenant_id == OutboxEvent.tenant_id)
            .outerjoin(RompslompConnection, RompslompConnection.tenant_id == OutboxEvent.tenant_id)
            .where(OutboxEvent.id == event_id)
            .with_for_update(read=True, of=[WorkOrder, Integration])
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if facts is None or facts.event_type != WORK_ORDER_ARCHIVED:
        log.info("export.ignored", reason="no_event_or_work_order", event_id=event_id)
        return "ignored"
    snapshot = WorkOrderArchivedV1.model_validate(facts.payload)
    tenant_id, work_order_id = snapshot.tenant_id, snapshot.work_order_id
    state, settings = facts.state, facts.IntegrationSettings
    current = facts.status == "archived" and facts.archive_count == snapshot.archive_seq
    export = None
    if current and state not in (None, "never_activated"):
        export = await session.scalar(
            insert(InvoiceExport)
            .values(
                tenant_id=tenant_id,
                work_order_id=work_order_id,
                status=ExportStatus.PENDING,
                api_reference=mapping.api_reference(tenant_id, work_order_id),
                event_id=event_id,
                archive_seq=snapshot.archive_seq,
                archived_at=snapshot.archived_at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "work_order_id"])
            .returning(InvoiceExport)
        )
    if export is None:
        export = await _locked_export(session, tenant_id, work_order_id)
    now = utcnow()
    pause = rompslomp.budgets.for_tenant(str(tenant_id)).wait_time()
    decision = decide(
        Situation(
            snapshot=snapshot,
            work_order=WorkOrderNow(facts.status, facts.archive_count),
            export=_export_now(export) if export is not None else None,
            integration_state=state,
            configured=settings is not None,
            filter_word=settings.filter_word if settings is not None else None,
            now=now,
            paused_until=now + timedelta(seconds=pause) if pause > 0 else None,
        ),
        rules,
    )
    if isinstance(decision, Ignore):
        if decision.notice is not None:
            transitions.office_log(session, snapshot, decision.notice, "warning")
        log.info("export.ignored", reason=decision.reason, tenant_id=tenant_id, event_id=event_id)
        return "ignored"
    assert export is not None
    connection = facts.RompslompConnection
    if isinstance(decision, Reconcile):
        in_flight = await _in_flight_snapshot(session, export, event_id, snapshot)
        return Claim(
            decision,
            export.id,
            in_flight,
            connection,
            administration_id=export.administration_id,
            payload=export.payload,
        )
    if decision.restart is not None:
        transitions.restart(export, event_id, snapshot, decision.restart.api_reference)
    if isinstance(decision, Wait):
        if decision.expire_lease and decision.until is not None:
            transitions.unknown(export, error=None, settle_after=decision.until)
        if decision.until is None:
            return "waiting"  # activation (state.activate) defers it again
        return ExportWaits(decision.until, decision.reason)
    if isinstance(decision, Fail):
        transitions.fail(session, export, snapshot, decision.problems)
        return "failed"
    if isinstance(decision, Skip):
        transitions.skip(session, export, snapshot, decision.problem)
        return "skipped"
    assert settings is not None
    recalled = products.recall(settings, snapshot)
    if recalled is None:  # Rompslomp must be asked first: `sending` is committed after
        return Claim(decision, export.id, snapshot, connection, settings=settings)
    # Everything the invoice needs is known: `sending` is committed with the claim, under
    # the locks that prove the integration active and the work order archived (R-SETUP-7).
    payload = _payload(snapshot, recalled, decision.api_reference)
    transitions.sending(export, administration_id=settings.administration_id, payload=payload)
    return Claim(
        decision,
        export.id,
        snapshot,
        connection,
        settings=settings,
        administration_id=settings.administration_id,
        payload=payload,
        sending=True,
    )


def _export_now(export: InvoiceExport) -> ExportNow:
    return ExportNow(
        status=ExportStatus(export.status),
        archive_seq=export.archive_seq,
        api_reference=export.api_reference,
        sending_since=export.sending_since,
        settle_after=export.settle_after,
    )


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


# -- transitions, each its own short transaction ---------------------------------------------


async def _locked(session: AsyncSession, claim: Claim) -> InvoiceExport | None:
    return await session.get(
        InvoiceExport, claim.export_id, with_for_update=True, populate_existing=True
    )


async def _finish_sent(sessions: SessionFactory, claim: Claim, found: Found) -> Outcome:
    reference = claim.decision.api_reference
    async with sessions() as session:
        if not found.duplicates:
            # The usual ending, in one statement: our own `sending` becomes `sent`.
            values = transitions.sent_values(found.invoice_id)
            updated = (
                await session.execute(
                    update(InvoiceExport)
                    .where(
                        InvoiceExport.id == claim.export_id,
                        InvoiceExport.api_reference == reference,
                        InvoiceExport.status == ExportStatus.SENDING,
                    )
                    .values(**values)
                    .returning(InvoiceExport.archived_at)
                    .execution_options(synchronize_session=False)
                )
            ).one_or_none()
            if updated is not None:
                transitions.announce_sent(
                    session,
                    claim.snapshot,
                    found.invoice_id,
                    updated.archived_at,
                    values["sent_at"],
                )
                await session.commit()
                return "sent"
        export = await _locked(session, claim)
        if export is not None and export.api_reference == reference:
            transitions.sent(session, export, claim.snapshot, found.invoice_id, found.duplicates)
        elif export is not None:
            # The row moved on to a later archive's reference: this invoice is of an older
            # attempt (should not happen: a lease outlives every POST).
            log.warning(
                "export.sent.for_old_reference",
                tenant_id=claim.snapshot.tenant_id,
                work_order_id=claim.snapshot.work_order_id,
                invoice_id=found.invoice_id,
            )
        await session.commit()
    return "sent"


async def _finish_failed(
    sessions: SessionFactory, claim: Claim, problems: tuple[checks.Problem, ...]
) -> Outcome:
    async with sessions() as session:
        export = await _locked(session, claim)
        if export is not None and export.status in (ExportStatus.PENDING, ExportStatus.SENDING):
            transitions.fail(session, export, claim.snapshot, problems)
        await session.commit()
    return "failed"


async def _change(
    sessions: SessionFactory, claim: Claim, expect: frozenset[ExportStatus], change: Any
) -> None:
    async with sessions() as session:
        export = await _locked(session, claim)
        if export is not None and export.status in expect:
            change(export)
        await session.commit()


async def _mark_sending(
    sessions: SessionFactory,
    claim: Claim,
    expect: frozenset[ExportStatus],
    *,
    administration_id: int,
    payload: dict[str, Any],
) -> Outcome | None:
    """Commit `sending` (None) unless, under the locks, the integration was deactivated or
    the work order reopened since the claim (R-SETUP-7): then nothing is sent."""
    snapshot = claim.snapshot
    async with sessions() as session:
        # One statement locks the three rows: the export FOR UPDATE; the work order and the
        # integration FOR SHARE (a concurrent reopen or deactivate waits for this commit,
        # and its POST is then one already in flight, or we see it).
        found = (
            await session.execute(
                select(InvoiceExport, WorkOrder.status, WorkOrder.archive_count, Integration.state)
                .join(WorkOrder, WorkOrder.id == InvoiceExport.work_order_id)
                .join(Integration, Integration.tenant_id == InvoiceExport.tenant_id)
                .where(InvoiceExport.id == claim.export_id)
                .suffix_with("FOR UPDATE OF invoice_exports FOR SHARE OF work_orders, integrations")
                .execution_options(populate_existing=True)
            )
        ).one_or_none()
        outcome: Outcome | None = None
        if found is None or found.InvoiceExport.status not in expect:
            outcome = "ignored"
        elif found.state != "active":
            transitions.pending(found.InvoiceExport)  # nothing is there: activation sends it
            outcome = "waiting"
        elif found.status != "archived" or found.archive_count != found.InvoiceExport.archive_seq:
            transitions.pending(found.InvoiceExport)  # reopened: the next archive restarts it
            outcome = "ignored"
        else:
            transitions.sending(
                found.InvoiceExport, administration_id=administration_id, payload=payload
            )
        await session.commit()
    if outcome is not None:
        log.info("export.send.withheld", work_order_id=snapshot.work_order_id, outcome=outcome)
    return outcome


# -- talking to Rompslomp (no transaction open) -------------------------------------------


async def _send(
    sessions: SessionFactory, client: RompslompClient, claim: Claim, rules: Timing
) -> Outcome:
    assert isinstance(claim.decision, Send)
    settings, snapshot = claim.settings, claim.snapshot
    assert settings is not None
    if claim.sending:
        assert claim.payload is not None
        return await _post(
            sessions, client, claim, settings.administration_id, claim.payload, rules
        )
    try:
        # The contact is not read here: a customer deleted in Rompslomp since the last sync
        # is refused at the POST (looked up, then failed in Rompslomp's words), one request
        # fewer per export; the preview does check it, for the person looking.
        resolved = await products.resolve(client, settings, snapshot, check_customer=False)
    except FatalError as exc:
        refused = checks.refused(snapshot.number, _reason(exc))
        return await _finish_failed(sessions, claim, (refused,))
    if resolved.problems:
        return await _finish_failed(sessions, claim, tuple(resolved.problems))
    payload = _payload(snapshot, resolved, claim.decision.api_reference)
    withheld = await _mark_sending(
        sessions,
        claim,
        frozenset({ExportStatus.PENDING}),
        administration_id=settings.administration_id,
        payload=payload,
    )
    if withheld is not None:
        return withheld
    return await _post(sessions, client, claim, settings.administration_id, payload, rules)


async def _reconcile(
    sessions: SessionFactory, client: RompslompClient, claim: Claim, rules: Timing
) -> Outcome:
    administration_id, payload = claim.administration_id, claim.payload
    if administration_id is None or payload is None:
        # A row in flight always has both (committed with `sending`).
        raise RuntimeError("an export in flight without its administration or payload")
    found = await find_invoice(client, administration_id, claim.decision.api_reference)
    if found is not None:
        log.info("export.reconciled.found", work_order_id=claim.snapshot.work_order_id)
        return await _finish_sent(sessions, claim, found)
    withheld = await _mark_sending(
        sessions, claim, IN_FLIGHT, administration_id=administration_id, payload=payload
    )
    if withheld is not None:
        return withheld
    return await _post(sessions, client, claim, administration_id, payload, rules)


def _reason(error: FatalError) -> str:
    """Rompslomp's own words (its Dutch validation messages) when it gave them."""
    messages = [f.message for f in error.field_errors if f.message]
    return ("; ".join(messages) + ".") if messages else error.message


async def _post(
    sessions: SessionFactory,
    client: RompslompClient,
    claim: Claim,
    administration_id: int,
    payload: dict[str, Any],
    rules: Timing,
) -> Outcome:
    """One POST while `sending` (committed); its answer decides the next state."""
    invoice = SalesInvoiceCreate.model_validate(payload)
    work_order_id = claim.snapshot.work_order_id
    try:
        async with asyncio.timeout(rules.post_deadline.total_seconds()):
            created = await client.create_sales_invoice(administration_id, invoice)
    except (AmbiguousOutcomeError, TimeoutError) as exc:
        error = exc.message if isinstance(exc, AmbiguousOutcomeError) else "POST timed out"
        settle_after = utcnow() + rules.settle
        log.info("export.post.ambiguous", work_order_id=work_order_id, error=error)
        await _change(
            sessions,
            claim,
            frozenset({ExportStatus.SENDING}),
            lambda export: transitions.unknown(export, error=error, settle_after=settle_after),
        )
        raise ExportWaits(settle_after, "settling") from exc
    except (RetriableError, AuthRevokedError) as exc:
        # Provably not processed (429, no connection, a refused token or refresh).
        message = exc.message
        await _change(
            sessions,
            claim,
            frozenset({ExportStatus.SENDING}),
            lambda export: transitions.pending(export, error=message),
        )
        raise
    except FatalError as exc:
        # Refused. Before `failed`: is the invoice there after all (an earlier attempt's,
        # refused now as a duplicate reference)? Rompslomp's words are not trusted for that.
        found = await _look_up_after_refusal(sessions, client, claim, administration_id)
        if found is not None:
            return await _finish_sent(sessions, claim, found)
        problem = checks.refused(claim.snapshot.number, _reason(exc))
        return await _finish_failed(sessions, claim, (problem,))
    return await _finish_sent(sessions, claim, Found(created.id))


async def _look_up_after_refusal(
    sessions: SessionFactory, client: RompslompClient, claim: Claim, administration_id: int
) -> Found | None:
    try:
        return await find_invoice(client, administration_id, claim.decision.api_reference)
    except RetriableError:
        # The refusal itself was certain: look up again as soon as the job runs again.
        now = utcnow()
        await _change(
            sessions,
            claim,
            frozenset({ExportStatus.SENDING}),
            lambda export: transitions.unknown(export, error=None, settle_after=now),
        )
        raise
