"""The first transaction of an export run: read the facts, decide, record what needs no
Rompslomp (sender.py does the rest).

One statement reads every fact (the event, the work order and the integration locked FOR
SHARE, the settings, the stored tokens); a current archive gets its `pending` row; then
`decision.decide` chooses. Endings without Rompslomp (failed, skipped, a reset for a new
archive, an expired lease) are written here. When everything the invoice needs is known
(its products remembered), `sending` is committed here too, under the same locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.export import mapping, products, transitions
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
from services.sync_worker.rompslomp.connection import Rompslomp
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED, WorkOrderArchivedV1
from shared.export_status import ExportStatus
from shared.models.integration import InvoiceExport
from shared.models.integration_setup import IntegrationSettings, RompslompConnection
from shared.models.outbox import OutboxEvent
from shared.work_order_rules import ARCHIVE_FOR_EXPORT, EXPORT_FOR_SENDING

Outcome = Literal["sent", "failed", "skipped", "waiting", "ignored"]

log = structlog.get_logger("services.sync_worker.export")

# The archive's facts under the export's locks (shared/work_order_rules.py: the work order
# and the integration FOR SHARE), with the settings and the stored tokens; built once (a
# statement object memoises its cache key, a tenth of the worker's time per export else).
_FACTS = (
    ARCHIVE_FOR_EXPORT.add_columns(IntegrationSettings, RompslompConnection)
    .outerjoin(IntegrationSettings, IntegrationSettings.tenant_id == OutboxEvent.tenant_id)
    .outerjoin(RompslompConnection, RompslompConnection.tenant_id == OutboxEvent.tenant_id)
    .execution_options(populate_existing=True)
)
_PENDING = (
    insert(InvoiceExport)
    .values(
        tenant_id=bindparam("tenant_id"),
        work_order_id=bindparam("work_order_id"),
        status=ExportStatus.PENDING,
        api_reference=bindparam("api_reference"),
        event_id=bindparam("event_id"),
        archive_seq=bindparam("archive_seq"),
        archived_at=bindparam("archived_at"),
    )
    .on_conflict_do_nothing(index_elements=["tenant_id", "work_order_id"])
    .returning(InvoiceExport)
)


# Run once on every pooled connection at the worker's start (shared/db.py `warm_up`): the
# reads of an export's two transactions, finding nothing (no event or export 0).
WARM_UP = ((_FACTS, {"event_id": 0}), (EXPORT_FOR_SENDING, {"export_id": 0}))


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


def invoice_payload(
    snapshot: WorkOrderArchivedV1, resolved: products.Resolved, reference: str
) -> Any:
    """The concept invoice to POST, as stored with `sending` (reconciled against later)."""
    assert snapshot.customer is not None
    assert snapshot.customer.rompslomp_id is not None
    lines = mapping.invoice_lines(snapshot, resolved.settings, resolved.material_products)
    invoice = mapping.sales_invoice(snapshot, lines, contact_id=snapshot.customer.rompslomp_id)
    return invoice.model_copy(update={"api_reference": reference}).to_payload()


async def claim(
    session: AsyncSession, rompslomp: Rompslomp, event_id: int, rules: Timing
) -> Claim | Outcome | ExportWaits:
    facts = (await session.execute(_FACTS, {"event_id": event_id})).one_or_none()
    if facts is None or facts.event_type != WORK_ORDER_ARCHIVED:
        log.info("export.ignored", reason="no_event_or_work_order", event_id=event_id)
        return "ignored"
    snapshot = WorkOrderArchivedV1.model_validate(facts.payload)
    tenant_id, work_order_id = snapshot.tenant_id, snapshot.work_order_id
    state, settings = facts.state, facts.IntegrationSettings
    current = (
        facts.status == WorkOrderStatus.ARCHIVED and facts.archive_count == snapshot.archive_seq
    )
    export = None
    if current and state not in (None, IntegrationState.NEVER_ACTIVATED):
        export = await session.scalar(
            _PENDING,
            {
                "tenant_id": tenant_id,
                "work_order_id": work_order_id,
                "api_reference": mapping.api_reference(tenant_id, work_order_id),
                "event_id": event_id,
                "archive_seq": snapshot.archive_seq,
                "archived_at": snapshot.archived_at,
            },
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
            transitions.office_log(session, snapshot, decision.notice, LogLevel.WARNING)
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
    payload = invoice_payload(snapshot, recalled, decision.api_reference)
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
