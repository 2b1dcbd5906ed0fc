"""The export's one decision (decision.decide), from a table: facts in, one outcome out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from services.sync_worker.export import checks
from services.sync_worker.export.decision import (
    Decision,
    ExportNow,
    Fail,
    Ignore,
    Reconcile,
    Restart,
    Send,
    Situation,
    Skip,
    Timing,
    Wait,
    WorkOrderNow,
    decide,
)
from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WorkOrderArchivedV1
from shared.export_status import ExportStatus
from tests.sync_worker.export.test_mapping import snapshot

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
TIMING = Timing(
    settle=dt.timedelta(seconds=60),
    post_deadline=dt.timedelta(seconds=30),
    max_pause=dt.timedelta(seconds=5),
)
REF = "simon-7-wo-42"
NUMBER = "2026-00012"


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def archive(seq: int = 1, *, customer: bool = True, **overrides: Any) -> WorkOrderArchivedV1:
    changes: dict[str, Any] = {"archive_seq": seq} | ({} if customer else {"customer": None})
    return snapshot(**overrides).model_copy(update=changes)


def export(status: ExportStatus, seq: int = 1, **fields: Any) -> ExportNow:
    return ExportNow(status=status, archive_seq=seq, api_reference=fields.pop("ref", REF), **fields)


BASE = Situation(
    snapshot=archive(),
    work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 1),
    export=export(ExportStatus.PENDING),
    integration_state=IntegrationState.ACTIVE,
    configured=True,
    filter_word="garantie",
    now=NOW,
)
NO_CUSTOMER: dict[str, Any] = {"customer": False}
FILTERED: dict[str, Any] = {"description": "Garantie: lekkage"}
S = ExportStatus


def case(**changes: Any) -> Situation:
    return dataclasses.replace(BASE, **changes)


CASES: list[tuple[str, Situation, Decision]] = [
    ("wiped since", case(work_order=None), Ignore("wiped")),
    (
        "never activated",
        case(integration_state=IntegrationState.NEVER_ACTIVATED),
        Ignore("never_activated"),
    ),
    ("no integration row", case(integration_state=None), Ignore("never_activated")),
    ("a pending export is sent", BASE, Send(REF)),
    ("the preview (no row yet)", case(export=None), Send(REF)),
    (
        "inactive: waits for activation",
        case(integration_state=IntegrationState.INACTIVE),
        Wait("inactive", None, blocking=(checks.NOT_ACTIVE,)),
    ),
    (
        "needs a reconnect: waits",
        case(integration_state=IntegrationState.NEEDS_RECONNECT),
        Wait("inactive", None, blocking=(checks.NOT_ACTIVE,)),
    ),
    (
        "not configured",
        case(configured=False),
        Fail((checks.not_configured(NUMBER),), blocking=(checks.not_configured(NUMBER),)),
    ),
    (
        "the filter word skips",
        case(snapshot=archive(**FILTERED)),
        Skip(checks.filtered(NUMBER, "garantie"), blocking=(checks.filtered(NUMBER, "garantie"),)),
    ),
    (
        "no customer fails",
        case(snapshot=archive(**NO_CUSTOMER)),
        Fail((checks.no_customer(NUMBER),), blocking=(checks.no_customer(NUMBER),)),
    ),
    (
        "the filter word wins over a missing customer; the preview sees both",
        case(snapshot=archive(**FILTERED, **NO_CUSTOMER)),
        Skip(
            checks.filtered(NUMBER, "garantie"),
            blocking=(checks.filtered(NUMBER, "garantie"), checks.no_customer(NUMBER)),
        ),
    ),
    (
        "an older archive's event",
        case(work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2)),
        Ignore("stale"),
    ),
    (
        "reopened since",
        case(work_order=WorkOrderNow(WorkOrderStatus.COMPLETED, 1)),
        Ignore("stale"),
    ),
    (
        "the row is of a newer archive",
        case(export=export(S.PENDING, seq=2)),
        Ignore("stale"),
    ),
    *(
        (f"a redelivered event, {status}", case(export=export(status)), Ignore("done"))
        for status in (S.SENT, S.FAILED, S.SKIPPED, S.REMOVED)
    ),
    (
        "a new archive after a failure starts over with the same reference",
        case(
            snapshot=archive(2),
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2),
            export=export(S.FAILED),
        ),
        Send(REF, Restart(REF)),
    ),
    (
        "a new archive after the invoice was deleted gets a reference with its sequence",
        case(
            snapshot=archive(2),
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2),
            export=export(S.REMOVED),
        ),
        Send(f"{REF}-2", Restart(f"{REF}-2")),
    ),
    (
        "a new archive after the invoice was sent: a warning, no second invoice",
        case(
            snapshot=archive(2),
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2),
            export=export(S.SENT),
        ),
        Ignore("rearchived", checks.rearchived_after_sent(NUMBER)),
    ),
    (
        "a live worker's lease is respected",
        case(export=export(S.SENDING, sending_since=NOW - seconds(10))),
        Wait("in_flight", NOW + seconds(50)),
    ),
    (
        "an expired lease settles before the lookup",
        case(export=export(S.SENDING, sending_since=NOW - seconds(70))),
        Wait("settling", NOW + seconds(50), expire_lease=True),
    ),
    (
        "an expired lease, settled: look up",
        case(export=export(S.SENDING, sending_since=NOW - seconds(121))),
        Reconcile(REF),
    ),
    (
        "sending without a lease (older rows): settle from now",
        case(export=export(S.SENDING)),
        Wait("settling", NOW + seconds(60), expire_lease=True),
    ),
    (
        "unknown: no lookup before the settle time",
        case(export=export(S.UNKNOWN, settle_after=NOW + seconds(1))),
        Wait("settling", NOW + seconds(1)),
    ),
    (
        "unknown, settled: look up",
        case(export=export(S.UNKNOWN, settle_after=NOW)),
        Reconcile(REF),
    ),
    (
        "unknown while inactive: nothing is asked",
        case(
            integration_state=IntegrationState.INACTIVE, export=export(S.UNKNOWN, settle_after=NOW)
        ),
        Wait("inactive", None),
    ),
    (
        "in flight is settled whatever the event",
        case(
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2),
            export=export(S.UNKNOWN, settle_after=NOW, ref="r-1"),
        ),
        Reconcile("r-1"),
    ),
    (
        "a tenant paused for an hour waits in the queue",
        case(paused_until=NOW + seconds(3600)),
        Wait("throttled", NOW + seconds(3600)),
    ),
    ("a short pause is waited out in the client", case(paused_until=NOW + seconds(3)), Send(REF)),
    (
        "a paused tenant's settled export waits too",
        case(export=export(S.UNKNOWN, settle_after=NOW), paused_until=NOW + seconds(60)),
        Wait("throttled", NOW + seconds(60)),
    ),
    (
        "a paused tenant's new archive restarts, then waits",
        case(
            snapshot=archive(2),
            work_order=WorkOrderNow(WorkOrderStatus.ARCHIVED, 2),
            export=export(S.FAILED),
            paused_until=NOW + seconds(60),
        ),
        Wait("throttled", NOW + seconds(60), restart=Restart(REF)),
    ),
    (
        "retry of a failed export starts it over",
        case(export=export(S.FAILED), retry=True),
        Send(REF, Restart(REF)),
    ),
    *(
        (
            f"retry of a {status} export is refused",
            case(export=export(status), retry=True),
            Ignore("not_failed"),
        )
        for status in (S.PENDING, S.SENDING, S.UNKNOWN, S.SENT, S.SKIPPED, S.REMOVED)
    ),
    (
        "retry of a reopened work order",
        case(
            work_order=WorkOrderNow(WorkOrderStatus.COMPLETED, 1),
            export=export(S.FAILED),
            retry=True,
        ),
        Ignore("stale"),
    ),
    (
        "retry while the work order still has no customer",
        case(snapshot=archive(**NO_CUSTOMER), export=export(S.FAILED), retry=True),
        Fail(
            (checks.no_customer(NUMBER),),
            Restart(REF),
            blocking=(checks.no_customer(NUMBER),),
        ),
    ),
]


@pytest.mark.parametrize(("name", "situation", "expected"), CASES, ids=[c[0] for c in CASES])
def test_decide(name: str, situation: Situation, expected: Decision) -> None:
    assert decide(situation, TIMING) == expected


def test_the_lease_outlives_the_post_deadline() -> None:
    assert TIMING.lease > TIMING.post_deadline + TIMING.max_pause
