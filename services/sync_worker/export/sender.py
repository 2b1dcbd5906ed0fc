"""Exactly one concept invoice per archived work order (R-EXPORT-6, DESIGN D3), against
the worst Rompslomp its spec allows.

One `invoice_exports` row per (tenant, work order) carries the export (the statuses are in
shared/export_status.py). A run of the export job:

1. one short transaction (claim.py) reads the facts under locks, lets `decision.decide`
   choose, and records what needs no Rompslomp; when the invoice's products are
   remembered it commits `sending` there and then;
2. with no transaction open (STYLE 1), this module talks to Rompslomp: `Send` reads what
   the invoice needs, commits `sending` (re-checking under the locks that the integration
   is still active and the work order still archived at this archive: R-SETUP-7), then
   POSTs once; `Reconcile` looks the invoice up by `api_reference` first and POSTs only
   when it is not there.

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
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.export import checks, products, transitions
from services.sync_worker.export.claim import (
    Claim,
    ExportWaits,
    Outcome,
    invoice_payload,
    timing,
)
from services.sync_worker.export.claim import claim as first_transaction
from services.sync_worker.export.decision import Reconcile, Send, Timing
from services.sync_worker.export.lookup import Found, find_invoice
from services.sync_worker.rompslomp import (
    AmbiguousOutcomeError,
    AuthRevokedError,
    FatalError,
    RateLimitedError,
    RetriableError,
    RompslompClient,
    SalesInvoiceCreate,
)
from services.sync_worker.rompslomp.connection import Rompslomp, connected
from shared.clock import utcnow
from shared.db import SessionFactory
from shared.enums import IntegrationState, WorkOrderStatus
from shared.export_status import IN_FLIGHT, ExportStatus
from shared.models.integration import InvoiceExport
from shared.models.integration_setup import IntegrationSettings
from shared.work_order_rules import EXPORT_FOR_SENDING

__all__ = ["ExportWaits", "Outcome", "export_event", "timing"]

# Statements of the hot path, built once (a statement memoises its cache key).
_SENT = (
    update(InvoiceExport)
    .where(
        InvoiceExport.id == bindparam("export_id"),
        InvoiceExport.api_reference == bindparam("reference"),
        InvoiceExport.status == ExportStatus.SENDING,
    )
    .values({name: bindparam(f"new_{name}") for name in transitions.sent_values(0)})
    .returning(InvoiceExport.archived_at)
    .execution_options(synchronize_session=False)
)
log = structlog.get_logger("services.sync_worker.export")
# At most this long reading a tenant's products again after a POST (`_refresh_products`).
REFRESH_SECONDS = 2.0


async def export_event(sessions: SessionFactory, rompslomp: Rompslomp, event_id: int) -> Outcome:
    """Export the work order of one `work_order.archived` event; safe to run any number of
    times, concurrently or after a crash at any instant. Raises `ExportWaits` to be run
    again later."""
    rules = timing(rompslomp)
    async with sessions() as session:
        claim = await first_transaction(session, rompslomp, event_id, rules)
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
    except RateLimitedError as exc:
        raise ExportWaits(utcnow() + timedelta(seconds=exc.pause), "throttled") from exc


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
                    _SENT,
                    {
                        "export_id": claim.export_id,
                        "reference": reference,
                        **{f"new_{name}": value for name, value in values.items()},
                    },
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
        found = (
            await session.execute(EXPORT_FOR_SENDING, {"export_id": claim.export_id})
        ).one_or_none()
        outcome: Outcome | None = None
        if found is None or found.InvoiceExport.status not in expect:
            outcome = "ignored"
        elif found.state != IntegrationState.ACTIVE:
            transitions.pending(found.InvoiceExport)  # nothing is there: activation sends it
            outcome = "waiting"
        elif (
            found.status != WorkOrderStatus.ARCHIVED
            or found.archive_count != found.InvoiceExport.archive_seq
        ):
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
        outcome = await _post(
            sessions, client, claim, settings.administration_id, claim.payload, rules
        )
        await _refresh_products(client, settings)
        return outcome
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
    payload = invoice_payload(snapshot, resolved, claim.decision.api_reference)
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


async def _refresh_products(client: RompslompClient, settings: IntegrationSettings) -> None:
    """After the POST (its outcome recorded): read the remembered products again when they
    are due, so the tenant's next export need not. A failure here changes nothing of this
    export; the next one asks Rompslomp itself if it must. Bounded: no retrying for long
    in a worker slot for it (a timeout is a failure like any other here)."""
    try:
        async with asyncio.timeout(REFRESH_SECONDS):
            await products.refresh_ahead(client, settings)
    except Exception as exc:  # any: the invoice's outcome is recorded already
        log.info("export.products.refresh_failed", tenant_id=settings.tenant_id, error=repr(exc))


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
