"""The job worker and the outbox relay come back by themselves (issue 15): each stop is
logged once with its cause and followed by a restart after a capped exponential backoff;
a stop for want of the database ends its backoff as soon as the database answers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from structlog.testing import capture_logs

from services.sync_worker.deps import Rompslomp
from services.sync_worker.integration.state import mark_needs_reconnect
from services.sync_worker.jobs import worker
from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.jobs.worker import JobEngine, Part, supervise
from services.sync_worker.rompslomp import BudgetRegistry
from services.sync_worker.settings import SyncWorkerSettings
from shared.db import create_engine, create_sessionmaker
from shared.migrate import upgrade
from tests.support.database import admin_execute, in_thread, with_database


async def _until(check: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


async def test_a_part_that_stops_is_logged_once_and_started_again() -> None:
    runs: list[str] = []
    serving = asyncio.Event()

    async def run(part: Part) -> None:
        runs.append("run")
        if len(runs) == 1:  # up, then the database goes away
            part.set_up(True)
            raise ConnectionRefusedError(111, "Connect call failed")
        if len(runs) == 2:  # the first restart: still away
            raise ConnectionRefusedError(111, "Connect call failed")
        part.set_up(True)  # back
        serving.set()
        await asyncio.Event().wait()

    part = Part("job_worker")
    with capture_logs() as logs:
        task = asyncio.create_task(supervise(part, run, first_backoff=0.01, max_backoff=0.02))
        await asyncio.wait_for(serving.wait(), 30)
        assert part.up
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not part.up
    assert part.stops == 1
    assert "ConnectionRefusedError" in (part.last_cause or "")
    events = [entry["event"] for entry in logs]
    assert events == ["jobs.worker.stopped", "jobs.worker.restart_failed"]
    assert logs[0]["part"] == "job_worker"
    assert "ConnectionRefusedError" in logs[0]["cause"]


async def test_the_backoff_doubles_to_its_cap_and_starts_over_after_a_healthy_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []

    async def pause(delay: float, probe: object) -> None:
        pauses.append(delay)
        if len(pauses) == 8:
            raise asyncio.CancelledError

    monkeypatch.setattr(worker, "_pause", pause)

    async def failing(part: Part) -> None:
        raise ConnectionRefusedError(111, "refused")

    with pytest.raises(asyncio.CancelledError):
        await supervise(Part("outbox_relay"), failing)
    assert pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]

    pauses.clear()
    with pytest.raises(asyncio.CancelledError):
        await supervise(Part("outbox_relay"), failing, healthy_after=0.0)
    assert pauses == [0.5] * 8


async def test_a_stop_for_want_of_the_database_waits_only_until_it_answers() -> None:
    answers = iter([False, False, True])
    asked = 0

    async def probe() -> bool:
        nonlocal asked
        asked += 1
        return next(answers)

    started = asyncio.get_running_loop().time()
    await worker._pause(60.0, probe)
    assert asked == 3
    assert asyncio.get_running_loop().time() - started < 30  # not the whole 60 s


async def test_a_bug_waits_the_whole_backoff_without_asking_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probes: list[object] = []

    async def pause(delay: float, probe: object) -> None:
        probes.append(probe)
        raise asyncio.CancelledError

    monkeypatch.setattr(worker, "_pause", pause)

    async def buggy(part: Part) -> None:
        part.set_up(True)
        raise KeyError("a bug")

    async def answers() -> bool:
        return True

    with capture_logs() as logs, pytest.raises(asyncio.CancelledError):
        await supervise(Part("job_worker"), buggy, probe=answers)
    assert probes == [None]
    assert isinstance(logs[0]["exc_info"], KeyError)  # a bug keeps its traceback


@pytest.fixture(scope="module")
def engine_database(postgres_server_url: str) -> str:
    """A database of its own: the test ends every connection to it."""
    name = f"simon_jobs_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)
    return url


@pytest.fixture
async def job_engine(engine_database: str) -> AsyncIterator[JobEngine]:
    settings = SyncWorkerSettings(
        database_url=engine_database, token_encryption_key=Fernet.generate_key().decode()
    )
    engine = create_engine(engine_database, pool_size=2)
    import httpx

    async with httpx.AsyncClient() as http:
        runtime = Runtime(
            sessions=create_sessionmaker(engine),
            rompslomp=Rompslomp(
                http=http,
                budgets=BudgetRegistry(),
                settings=settings,
                on_revoked=mark_needs_reconnect,
            ),
            settings=settings,
        )
        jobs = JobEngine(engine_database, runtime, concurrency=1)
        running = asyncio.create_task(jobs.run())
        try:
            yield jobs
        finally:
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
    await engine.dispose()


async def test_the_worker_and_relay_work_again_after_their_connections_are_ended(
    job_engine: JobEngine, engine_database: str
) -> None:
    """Every connection ended (what a database restart does to them): the relay stops, is
    logged and started again; the worker replaces its pool's connections and its listener
    (or is restarted); a job deferred afterwards runs."""
    await _until(lambda: not job_engine.down(), "the job engine to run")
    admin = create_engine(engine_database, pool_size=1)
    try:
        with capture_logs() as logs:
            async with admin.connect() as connection:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            await _until(lambda: job_engine.relay.stops >= 1, "the relay to notice")
            await _until(lambda: not job_engine.down(), "both to run again")
        stopped = [e for e in logs if e["event"] == "jobs.worker.stopped"]
        assert {e["part"] for e in stopped} >= {"outbox_relay"}
        assert all("exc_info" not in e or e["exc_info"] is None for e in stopped)

        async with admin.begin() as connection:
            job_id = await connection.scalar(
                text(
                    "INSERT INTO procrastinate_jobs (queue_name, task_name, args) "
                    "VALUES ('default', 'jobs.recover_stalled', '{\"timestamp\": 0}') "
                    "RETURNING id"
                )
            )
        for _ in range(1200):  # done jobs are deleted
            async with admin.connect() as connection:
                left = await connection.scalar(
                    text("SELECT count(*) FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
                )
            if left == 0:
                break
            await asyncio.sleep(0.05)
        assert left == 0
    finally:
        await admin.dispose()
