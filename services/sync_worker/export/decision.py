"""What to do with an export, decided once (pure: no I/O, no clock of its own).

The sender asks it for every run of an export job, the invoice preview for a work order
not archived yet, the retry endpoint when the office resends a failed export. The caller
reads the facts (in the transaction that locks the export row) into a `Situation`;
`decide` answers with one outcome:

- `Ignore`  nothing to do (wiped, never activated, stale event, done already);
- `Wait`    not now: the integration is off (activation resumes it), a POST's lease is
            still running, an ambiguous POST is still settling, the tenant is throttled;
- `Fail`    blocked by the work order or the settings (logged for the office);
- `Skip`    the filter word (R-EXPORT-4);
- `Send`    build the invoice and POST it;
- `Reconcile` look the invoice up by `api_reference` (POST again only when not found).

`Restart` rides on an outcome when a new archive (or the office's resend) starts the
export over; `blocking` lists everything that stands in the way, for the preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.sync_worker.export import checks, mapping
from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WorkOrderArchivedV1
from shared.export_status import IN_FLIGHT, ExportStatus

Problems = tuple[checks.Problem, ...]


@dataclass(frozen=True)
class Timing:
    settle: timedelta  # EXPORT_SETTLE_SECONDS: the longest Rompslomp may still be working
    post_deadline: timedelta  # the longest our POST may take, from start to answer
    max_pause: timedelta  # a Retry-After pause longer than this waits in the queue

    @property
    def lease(self) -> timedelta:
        """How long `sending` is a live worker's: its POST's deadline (which includes the
        wait for a request slot, at most `max_pause`), with as much again to record the
        answer."""
        return 2 * self.post_deadline


@dataclass(frozen=True)
class WorkOrderNow:
    status: WorkOrderStatus
    archive_count: int


@dataclass(frozen=True)
class ExportNow:
    status: ExportStatus
    archive_seq: int
    api_reference: str
    sending_since: datetime | None = None
    settle_after: datetime | None = None


@dataclass(frozen=True)
class Situation:
    snapshot: WorkOrderArchivedV1  # the archive this run is about
    work_order: WorkOrderNow | None  # None: wiped since
    export: ExportNow | None  # None: no row (the preview)
    integration_state: IntegrationState | None
    configured: bool  # settings were saved
    filter_word: str | None
    now: datetime
    paused_until: datetime | None = None  # the tenant's Retry-After pause, if any
    retry: bool = False  # the office resends a failed export


@dataclass(frozen=True)
class Restart:
    """This archive starts the export over (reset attempts, payload; maybe a new reference)."""

    api_reference: str


@dataclass(frozen=True)
class Ignore:
    reason: Literal["wiped", "never_activated", "stale", "done", "not_failed", "rearchived"]
    notice: checks.Problem | None = None  # a warning for the office's log


@dataclass(frozen=True)
class Wait:
    reason: Literal["inactive", "in_flight", "settling", "throttled"]
    until: datetime | None  # None: until activation defers the job again
    expire_lease: bool = False  # the lease ran out: record `unknown`, settling until `until`
    restart: Restart | None = None
    blocking: Problems = ()


@dataclass(frozen=True)
class Fail:
    problems: Problems  # what the log says
    restart: Restart | None = None
    blocking: Problems = ()


@dataclass(frozen=True)
class Skip:
    problem: checks.Problem
    restart: Restart | None = None
    blocking: Problems = ()


@dataclass(frozen=True)
class Send:
    api_reference: str
    restart: Restart | None = None


@dataclass(frozen=True)
class Reconcile:
    api_reference: str


Decision = Ignore | Wait | Fail | Skip | Send | Reconcile


def decide(situation: Situation, timing: Timing) -> Decision:
    work_order, export = situation.work_order, situation.export
    if work_order is None:
        return Ignore("wiped")
    if situation.integration_state in (None, IntegrationState.NEVER_ACTIVATED):
        # Never exported: the first activation wipes the work orders (R-SETUP-2).
        return Ignore("never_activated")
    if situation.retry and (export is None or export.status != ExportStatus.FAILED):
        return Ignore("not_failed")  # only a failed export is resent
    if export is not None and export.status in IN_FLIGHT:
        # Something may exist in Rompslomp: settle it first, whatever this event is.
        return _settle(situation, export, timing)
    seq = situation.snapshot.archive_seq
    current = work_order.status == WorkOrderStatus.ARCHIVED and work_order.archive_count == seq
    if export is None:
        return _evaluate(situation, timing, None) if current else Ignore("stale")
    if not current or export.archive_seq > seq:
        return Ignore("stale")
    if export.archive_seq < seq:
        if export.status == ExportStatus.SENT:
            return Ignore("rearchived", checks.rearchived_after_sent(situation.snapshot.number))
        reference = export.api_reference
        if export.status == ExportStatus.REMOVED:
            snapshot = situation.snapshot
            reference = mapping.api_reference(snapshot.tenant_id, snapshot.work_order_id, seq)
        return _evaluate(situation, timing, Restart(reference))
    if situation.retry:  # a failed export of the current archive
        return _evaluate(situation, timing, Restart(export.api_reference))
    if export.status == ExportStatus.PENDING:
        return _evaluate(situation, timing, None, export.api_reference)
    return Ignore("done")  # this archive was exported already (a redelivered event)


def _settle(situation: Situation, export: ExportNow, timing: Timing) -> Decision:
    now = situation.now
    if situation.integration_state != IntegrationState.ACTIVE:
        return Wait("inactive", None)
    if export.status == ExportStatus.SENDING:
        if export.sending_since is None:  # a row from before leases: treat as just ended
            return Wait("settling", now + timing.settle, expire_lease=True)
        lease_end = export.sending_since + timing.lease
        if now < lease_end:
            return Wait("in_flight", lease_end)  # a live worker may still be POSTing
        settled = lease_end + timing.settle
        if now < settled:
            return Wait("settling", settled, expire_lease=True)
    elif export.settle_after is not None and now < export.settle_after:
        return Wait("settling", export.settle_after)
    return _unless_throttled(situation, timing, Reconcile(export.api_reference))


def _evaluate(
    situation: Situation,
    timing: Timing,
    restart: Restart | None,
    reference: str | None = None,
) -> Decision:
    """A pending export of the current archive (or a restarted one): may it be sent?"""
    snapshot = situation.snapshot
    number = snapshot.number
    active = situation.integration_state == IntegrationState.ACTIVE
    filtered = (
        checks.filtered(number, situation.filter_word or "")
        if mapping.matches_filter_word(snapshot.description, situation.filter_word)
        else None
    )
    local = tuple(checks.local_problems(snapshot))
    not_configured = None if situation.configured else checks.not_configured(number)
    blocking = tuple(
        p for p in (None if active else checks.NOT_ACTIVE, filtered, *local, not_configured) if p
    )
    if not active:
        return Wait("inactive", None, restart=restart, blocking=blocking)  # activation sends it
    if not_configured is not None:
        return Fail((not_configured,), restart, blocking)
    if filtered is not None:
        return Skip(filtered, restart, blocking)
    if local:
        return Fail(local, restart, blocking)
    if reference is None:
        reference = (
            restart.api_reference
            if restart is not None
            else mapping.api_reference(snapshot.tenant_id, snapshot.work_order_id)
        )
    return _unless_throttled(situation, timing, Send(reference, restart))


def _unless_throttled(situation: Situation, timing: Timing, decision: Send | Reconcile) -> Decision:
    """Requests to a tenant paused by a long Retry-After wait in the queue, not in a worker."""
    paused = situation.paused_until
    if paused is not None and paused - situation.now > timing.max_pause:
        restart = decision.restart if isinstance(decision, Send) else None
        return Wait("throttled", paused, restart=restart)
    return decision
