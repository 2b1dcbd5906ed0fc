"""What is due when (DESIGN D4): probes every few minutes, full listings budgeted by size,
at least daily; a probe that sees another X-Total queues a full run at once; repeated
"Nu synchroniseren" clicks fold into one waiting job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from services.sync_worker.masterdata.cadence import EntityClock, due, full_interval
from services.sync_worker.masterdata.schedule import tick
from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.enums import SyncRunStatus
from shared.models import Customer, SyncRun, SyncState
from tests.sync_worker.masterdata.support import Tenant

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SETTINGS = SyncWorkerSettings(database_url="postgresql://unused/unused")


@pytest.mark.parametrize(
    ("rows", "minutes"),
    [
        (None, 15),  # never listed: the minimum
        (25, 15),  # one page
        (5_000, 50),  # 50 pages × 1 min
        (20_000, 200),
        (10_000_000, 24 * 60),  # capped: at least daily
    ],
)
def test_the_full_interval_grows_with_the_pages(rows: int | None, minutes: int) -> None:
    assert full_interval(rows, SETTINGS) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (EntityClock(busy=False, last_full=None, listed_total=None, probed_at=None), "full"),
        (EntityClock(busy=True, last_full=None, listed_total=None, probed_at=None), None),
        (
            EntityClock(False, NOW - timedelta(minutes=16), listed_total=25, probed_at=NOW),
            "full",
        ),
        (
            EntityClock(False, NOW - timedelta(minutes=14), 25, NOW - timedelta(minutes=5)),
            "probe",
        ),
        (EntityClock(False, NOW - timedelta(minutes=14), 25, NOW - timedelta(minutes=4)), None),
        # 20,000 rows: a full listing every 200 minutes; probes in between.
        (
            EntityClock(False, NOW - timedelta(minutes=199), 20_000, NOW - timedelta(minutes=6)),
            "probe",
        ),
        (EntityClock(False, NOW - timedelta(minutes=200), 20_000, NOW), "full"),
    ],
)
def test_what_is_due(clock: EntityClock, expected: str | None) -> None:
    assert due(clock, NOW, SETTINGS) == expected


async def _my_jobs(tenant: Tenant) -> list[tuple[str, str]]:
    return sorted((j.task_name, j.args["entity"]) for j in await tenant.waiting_jobs())


async def test_after_the_import_the_tick_probes_then_lists_in_full(imported: Tenant) -> None:
    await tick(imported.runtime)
    assert await _my_jobs(imported) == [
        ("masterdata.probe", "articles"),
        ("masterdata.probe", "customers"),
    ]
    assert await imported.work() == []  # same X-Total: no run
    await tick(imported.runtime)
    assert await _my_jobs(imported) == []  # probed just now, listed just now

    later = utcnow() + timedelta(minutes=16)
    await tick(imported.runtime, later)
    assert await _my_jobs(imported) == [
        ("masterdata.sync", "articles"),
        ("masterdata.sync", "customers"),
    ]
    runs = await imported.work()
    assert {(r.trigger, r.status) for r in runs} == {("scheduled", "finished")}
    # Nothing changed: a scheduled run writes no summary line.
    customers = await imported.count(Customer)
    assert [e.message for e in await imported.log_lines("customer")][-1].endswith(
        f"{customers} toegevoegd, 0 gewijzigd, 0 gedeactiveerd, 0 verwijderd."
    )


async def test_a_probe_that_sees_another_total_queues_a_full_run(imported: Tenant) -> None:
    before = await imported.count(Customer)
    await imported.rompslomp("POST", "/contacts", {"company_name": "Nieuw via probe BV"})
    await tick(imported.runtime)
    runs = await imported.work()
    assert [(r.entity, r.trigger, r.added) for r in runs] == [("customers", "probe", 1)]
    assert await imported.count(Customer) == before + 1
    state = await imported.session.scalar(
        select(SyncState)
        .where(SyncState.tenant_id == imported.id, SyncState.entity == "customers")
        .execution_options(populate_existing=True)
    )
    assert state is not None
    assert (state.probe_total, state.listed_total) == (before + 1, before + 1)


async def test_a_deactivated_tenant_is_left_alone(imported: Tenant) -> None:
    await imported.call("POST", "/deactivate", {"confirm": True})
    await tick(imported.runtime, utcnow() + timedelta(days=2))
    assert await _my_jobs(imported) == []


async def test_repeated_sync_now_clicks_fold_into_one_waiting_job(imported: Tenant) -> None:
    answers = [
        await imported.call("POST", "/sync", {"customers": True, "articles": True}, status=202)
        for _ in range(3)
    ]
    assert len({tuple(r["id"] for r in a["runs"]) for a in answers}) == 1
    assert await _my_jobs(imported) == [
        ("masterdata.sync", "articles"),
        ("masterdata.sync", "customers"),
    ]
    runs = await imported.work()
    assert len(runs) == 2


async def test_a_run_left_running_by_a_dead_worker_is_taken_over(imported: Tenant) -> None:
    await imported.call("POST", "/sync", {"customers": True}, status=202)
    # The worker died mid-run: its run says running; procrastinate hands the job out again.
    await imported.session.execute(
        update(SyncRun)
        .where(SyncRun.tenant_id == imported.id, SyncRun.status == "queued")
        .values(status=SyncRunStatus.RUNNING, attempts=1)
    )
    await imported.session.commit()
    (run,) = await imported.work()
    assert (run.status, run.attempts, run.trigger) == ("finished", 2, "manual")
    statuses = await imported.session.scalars(
        select(SyncRun.status).where(SyncRun.tenant_id == imported.id, SyncRun.status == "running")
    )
    assert list(statuses) == []
