"""Changes of an `invoice_exports` row, each applied in the caller's transaction to a row it
locked, with the log line the office reads (R-LOG) and the metrics.

The sender (sender.py), the retry endpoint and the checks for deleted invoices
(reconcile.py) all change rows through these, so a reset or an ending is written once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.export import checks
from services.sync_worker.log import writer
from services.sync_worker.metrics import EXPORT_LATENCY, EXPORTS_FINISHED
from shared.clock import utcnow
from shared.enums import LogLevel, LogTable
from shared.events import WorkOrderArchivedV1
from shared.export_status import ExportStatus
from shared.models.integration import InvoiceExport

log = structlog.get_logger("services.sync_worker.export")


def restart(
    export: InvoiceExport, event_id: int, snapshot: WorkOrderArchivedV1, api_reference: str
) -> None:
    """A new archive (R-EXPORT-2: reopened, corrected) or the office's resend: the export
    starts over for this archive."""
    export.status = ExportStatus.PENDING
    export.event_id = event_id
    export.archive_seq = snapshot.archive_seq
    export.archived_at = snapshot.archived_at
    export.api_reference = api_reference
    export.attempts = 0
    export.last_error = None
    export.payload = None
    export.administration_id = None
    export.rompslomp_invoice_id = None
    export.sent_at = None
    export.sending_since = None
    export.settle_after = None


def office_log(
    session: AsyncSession,
    subject: WorkOrderArchivedV1 | InvoiceExport,
    problem: checks.Problem,
    level: LogLevel,
) -> None:
    """A line for the office about the work order of `subject` (a snapshot or the row)."""
    writer.write(
        session,
        subject.tenant_id,
        level=level,
        table=LogTable.WORK_ORDER,
        work_order_id=subject.work_order_id,
        message=problem.message,
        action=problem.action,
        message_en=problem.message_en,
        action_en=problem.action_en,
    )


def fail(
    session: AsyncSession,
    export: InvoiceExport,
    snapshot: WorkOrderArchivedV1,
    problems: tuple[checks.Problem, ...],
) -> None:
    export.status = ExportStatus.FAILED
    export.sending_since = None
    export.settle_after = None
    export.last_error = " ".join(p.message for p in problems)
    for problem in problems:
        office_log(session, snapshot, problem, LogLevel.ERROR)
    EXPORTS_FINISHED.labels(status=ExportStatus.FAILED).inc()
    log.info(
        "export.failed",
        tenant_id=snapshot.tenant_id,
        work_order_id=snapshot.work_order_id,
        problems=[p.code for p in problems],
    )


def skip(
    session: AsyncSession,
    export: InvoiceExport,
    snapshot: WorkOrderArchivedV1,
    problem: checks.Problem,
) -> None:
    export.status = ExportStatus.SKIPPED
    export.last_error = None
    office_log(session, snapshot, problem, LogLevel.INFO)
    EXPORTS_FINISHED.labels(status=ExportStatus.SKIPPED).inc()
    log.info("export.skipped", tenant_id=snapshot.tenant_id, work_order_id=snapshot.work_order_id)


def sent(
    session: AsyncSession,
    export: InvoiceExport,
    snapshot: WorkOrderArchivedV1,
    invoice_id: int,
    duplicates: tuple[int, ...] = (),
) -> None:
    """`sent` wins from any state: Rompslomp holds the invoice, whatever we concluded."""
    ids = {"tenant_id": snapshot.tenant_id, "work_order_id": snapshot.work_order_id}
    if duplicates:
        office_log(
            session,
            snapshot,
            checks.duplicate_invoices(snapshot.number, 1 + len(duplicates)),
            LogLevel.ERROR,
        )
        log.error("export.duplicates", invoice_id=invoice_id, duplicates=list(duplicates), **ids)
    if export.status == ExportStatus.SENT:
        if export.rompslomp_invoice_id not in (None, invoice_id):
            office_log(
                session, snapshot, checks.duplicate_invoices(snapshot.number, 2), LogLevel.ERROR
            )
            log.error(
                "export.duplicates",
                invoice_id=export.rompslomp_invoice_id,
                duplicates=[invoice_id],
                **ids,
            )
        return
    if export.status == ExportStatus.FAILED:
        office_log(session, snapshot, checks.sent_after_all(snapshot.number), LogLevel.WARNING)
        log.warning("export.sent_after_failed", invoice_id=invoice_id, **ids)
    values = sent_values(invoice_id)
    for name, value in values.items():
        setattr(export, name, value)
    announce_sent(session, snapshot, invoice_id, export.archived_at, values["sent_at"])


def sent_values(invoice_id: int) -> dict[str, Any]:
    """The columns of a `sent` export (also set by the sender's one-statement update)."""
    return {
        "status": ExportStatus.SENT,
        "rompslomp_invoice_id": invoice_id,
        "sent_at": utcnow(),
        "last_error": None,
        "sending_since": None,
        "settle_after": None,
    }


def announce_sent(
    session: AsyncSession,
    snapshot: WorkOrderArchivedV1,
    invoice_id: int,
    archived_at: datetime | None,
    sent_at: datetime,
) -> None:
    """The log line for the office and the metrics of an export that became `sent`."""
    writer.write(
        session,
        snapshot.tenant_id,
        level=LogLevel.INFO,
        table=LogTable.WORK_ORDER,
        work_order_id=snapshot.work_order_id,
        message=f"Conceptfactuur aangemaakt in Rompslomp voor werkbon {snapshot.number}.",
        message_en=f"Concept invoice created in Rompslomp for work order {snapshot.number}.",
    )
    EXPORTS_FINISHED.labels(status=ExportStatus.SENT).inc()
    if archived_at is not None:
        EXPORT_LATENCY.observe(max(0.0, (sent_at - archived_at).total_seconds()))
    log.info(
        "export.sent",
        invoice_id=invoice_id,
        tenant_id=snapshot.tenant_id,
        work_order_id=snapshot.work_order_id,
    )


def removed(session: AsyncSession, export: InvoiceExport, number: str, invoice_id: int) -> bool:
    """The concept invoice `invoice_id` was found deleted in Rompslomp: simon_api allows
    reopen again. False (nothing changed) when the export moved on meanwhile."""
    if export.status != ExportStatus.SENT or export.rompslomp_invoice_id != invoice_id:
        return False
    export.status = ExportStatus.REMOVED
    office_log(session, export, checks.invoice_removed(number), LogLevel.WARNING)
    EXPORTS_FINISHED.labels(status=ExportStatus.REMOVED).inc()
    log.info(
        "export.removed",
        tenant_id=export.tenant_id,
        work_order_id=export.work_order_id,
        invoice_id=invoice_id,
    )
    return True


def sending(export: InvoiceExport, *, administration_id: int, payload: dict[str, Any]) -> None:
    """Committed before the POST; the lease starts now."""
    export.status = ExportStatus.SENDING
    export.administration_id = administration_id
    export.payload = payload
    export.attempts += 1
    export.sending_since = utcnow()
    export.settle_after = None


def unknown(export: InvoiceExport, *, error: str | None, settle_after: datetime) -> None:
    """An ambiguous answer: no lookup (and no POST) before Rompslomp is surely done."""
    export.status = ExportStatus.UNKNOWN
    export.settle_after = settle_after
    export.sending_since = None
    if error is not None:
        export.last_error = error


def pending(export: InvoiceExport, *, error: str | None = None) -> None:
    """Nothing reached Rompslomp (a 429, no connection, or nothing found after settling)."""
    export.status = ExportStatus.PENDING
    export.sending_since = None
    export.settle_after = None
    if error is not None:
        export.last_error = error
