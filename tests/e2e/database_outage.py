"""PostgreSQL goes away under load, on real processes (used by test_database_outage.py and
bench/database_restart.py).

An external PostgreSQL (tests/e2e/external_postgres.py), the sandbox, simon_api and a
sync_worker with its job worker and relay. Work orders are completed, then archived at a
steady rate by a client that retries as a phone app on a bad network does (after a 5xx or
a lost connection, honouring Retry-After). Some seconds in, PostgreSQL is restarted
(`pg_ctl restart -m fast`) or stopped for a while and started again. Meanwhile /ready of
both services and the sandbox's invoices are watched. At the end every archive must be
exactly one concept invoice.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from shared.db import create_engine
from shared.migrate import upgrade
from tests.e2e.export_world import World, completed_work_order, invoices, make_world
from tests.e2e.external_postgres import ExternalPostgres
from tests.support.database import admin_execute, with_database
from tests.support.processes import start_service, stop

W = "/api/v1/work-orders"


@dataclass
class OutageResult:
    case: str
    archives: int = 0
    archived: int = 0
    failed_calls: Counter[str] = field(default_factory=Counter)
    down_seconds: float = 0.0
    ready_503: dict[str, int] = field(default_factory=dict)
    ready_after: dict[str, float | None] = field(default_factory=dict)
    first_invoice_after: float | None = None
    all_invoices_after: float | None = None
    missing: int = 0
    duplicates: int = 0
    log_lines: dict[str, int] = field(default_factory=dict)
    errors_logged: dict[str, int] = field(default_factory=dict)
    unhandled: dict[str, int] = field(default_factory=dict)
    worker_stops: int = 0

    @property
    def failed(self) -> int:
        return sum(self.failed_calls.values())

    def row(self) -> dict[str, str]:
        def seconds(value: float | None) -> str:
            return "never" if value is None else f"{value:.2f} s"

        kinds = ", ".join(f"{n} × {kind}" for kind, n in self.failed_calls.most_common())
        return {
            "PostgreSQL down": f"{self.down_seconds:.1f} s",
            "archives (succeeded / made)": f"{self.archived} / {self.archives}",
            "archive calls failed": f"{self.failed} ({kinds})" if kinds else "0",
            "/ready 503 answers (simon_api, sync_worker)": (
                f"{self.ready_503.get('simon_api', 0)}, {self.ready_503.get('sync_worker', 0)}"
            ),
            "/ready 200 after PostgreSQL is back (simon_api)": seconds(
                self.ready_after.get("simon_api")
            ),
            "/ready 200 after PostgreSQL is back (sync_worker)": seconds(
                self.ready_after.get("sync_worker")
            ),
            "first invoice after PostgreSQL is back": seconds(self.first_invoice_after),
            "all invoices after PostgreSQL is back": seconds(self.all_invoices_after),
            "invoices missing": str(self.missing),
            "duplicate invoices": str(self.duplicates),
            "jobs.worker.stopped logged": str(self.worker_stops),
            "log lines (simon_api, sync_worker)": (
                f"{self.log_lines.get('simon_api', 0)}, {self.log_lines.get('sync_worker', 0)}"
            ),
            "errors logged (simon_api, sync_worker)": (
                f"{self.errors_logged.get('simon_api', 0)}, "
                f"{self.errors_logged.get('sync_worker', 0)}"
            ),
            "exceptions reaching uvicorn (simon_api, sync_worker)": (
                f"{self.unhandled.get('simon_api', 0)}, {self.unhandled.get('sync_worker', 0)}"
            ),
        }


class Timeline:
    """When PostgreSQL went down and came back (monotonic seconds)."""

    def __init__(self) -> None:
        self.down_at: float | None = None
        self.back_at: float | None = None
        self.back = asyncio.Event()


async def _archive_until_done(
    api: httpx.AsyncClient, world: World, work_order_id: int, result: OutageResult, deadline: float
) -> None:
    """POST archive until it answers 200, as a retrying app would: no key needed, since
    archiving an archived work order answers 200."""
    while time.monotonic() < deadline:
        try:
            answer = await api.post(f"{W}/{work_order_id}/archive", headers=world.headers)
        except httpx.TransportError as exc:
            result.failed_calls[type(exc).__name__] += 1
            await asyncio.sleep(1.0)
            continue
        if answer.status_code == 200:
            result.archived += 1
            return
        code = answer.json().get("code", "") if answer.content else ""
        result.failed_calls[f"{answer.status_code} {code}".strip()] += 1
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")))


async def _watch_ready(
    name: str, url: str, timeline: Timeline, result: OutageResult, stop_watching: asyncio.Event
) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=3.0) as client:
        while not stop_watching.is_set():
            try:
                status = (await client.get("/ready")).status_code
            except httpx.TransportError:
                status = 0
            now = time.monotonic()
            if status == 503:
                result.ready_503[name] = result.ready_503.get(name, 0) + 1
            if (
                status == 200
                and timeline.back_at is not None
                and result.ready_after.get(name) is None
            ):
                result.ready_after[name] = now - timeline.back_at
            await asyncio.sleep(0.2)


async def _watch_invoices(
    sandbox: httpx.AsyncClient,
    world: World,
    expected: int,
    timeline: Timeline,
    result: OutageResult,
    deadline: float,
) -> None:
    """Poll the sandbox: the first invoice after PostgreSQL is back, and all of them."""
    seen_at_back: int | None = None
    while time.monotonic() < deadline:
        count = len(await invoices(sandbox, world))
        now = time.monotonic()
        if timeline.back_at is not None:
            if seen_at_back is None:
                seen_at_back = count
            elif count > seen_at_back and result.first_invoice_after is None:
                result.first_invoice_after = now - timeline.back_at
            if count >= expected and result.archived >= expected:
                result.all_invoices_after = now - timeline.back_at
                if result.first_invoice_after is None:
                    result.first_invoice_after = result.all_invoices_after
                return
        await asyncio.sleep(0.25)


async def _outage(
    postgres: ExternalPostgres, at: float, down_for: float | None, timeline: Timeline
) -> None:
    await asyncio.sleep(at)
    if down_for is None:
        began, back = await asyncio.to_thread(postgres.restart)
        timeline.down_at = began
    else:
        timeline.down_at = time.monotonic()
        await asyncio.to_thread(postgres.stop)
        await asyncio.sleep(down_for)
        back = await asyncio.to_thread(postgres.start)
    timeline.back_at = back
    timeline.back.set()


async def run_case(
    postgres: ExternalPostgres,
    logs: Path,
    *,
    case: str,
    down_for: float | None,
    archives: int = 200,
    rate: float = 5.0,
    outage_at: float = 15.0,
    drain_deadline: float = 120.0,
) -> OutageResult:
    """One case on a fresh database and fresh processes. `down_for=None`: a restart."""
    result = OutageResult(case=case, archives=archives)
    name = f"simon_outage_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(admin_execute, postgres.url, f"CREATE DATABASE {name}")
    url = with_database(postgres.url, name)
    await asyncio.to_thread(upgrade, url)
    key = Fernet.generate_key().decode()
    outputs = {n: logs / f"{case}-{n}.log" for n in ("sandbox", "simon_api", "sync_worker")}
    processes = []
    engine = create_engine(url, pool_size=2)
    try:
        sandbox_process, sandbox_url = start_service(
            "services.rompslomp_sandbox.app:create_app", {}, output=outputs["sandbox"]
        )
        processes.append(sandbox_process)
        api_process, api_url = start_service(
            "services.simon_api.main:create_app",
            {"DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
            output=outputs["simon_api"],
        )
        processes.append(api_process)
        worker_process, worker_url = start_service(
            "services.sync_worker.main:create_app",
            {
                "DATABASE_URL": url,
                "ROMPSLOMP_API_URL": sandbox_url,
                "ROMPSLOMP_OAUTH_URL": sandbox_url,
                "TOKEN_ENCRYPTION_KEY": key,
                "PYTHONUNBUFFERED": "1",
            },
            output=outputs["sync_worker"],
        )
        processes.append(worker_process)
        sandbox = httpx.AsyncClient(base_url=sandbox_url, timeout=30)
        api = httpx.AsyncClient(base_url=api_url, timeout=10)
        async with sandbox, api:
            world = await make_world(engine, sandbox, key, f"Outage {case} BV")
            gate = asyncio.Semaphore(8)

            async def prepare() -> int:
                async with gate:
                    return await completed_work_order(api, world, travel_minutes=0, materials=())

            orders = await asyncio.gather(*(prepare() for _ in range(archives)))
            await engine.dispose()  # the test's own pool must not hold connections across

            timeline = Timeline()
            stop_watching = asyncio.Event()
            started = time.monotonic()
            deadline = started + archives / rate + (down_for or 0) + drain_deadline
            watchers = [
                asyncio.create_task(_watch_ready(n, u, timeline, result, stop_watching))
                for n, u in (("simon_api", api_url), ("sync_worker", worker_url))
            ]
            outage = asyncio.create_task(_outage(postgres, outage_at, down_for, timeline))
            watching = asyncio.create_task(
                _watch_invoices(sandbox, world, archives, timeline, result, deadline)
            )

            async def archive_at(index: int, work_order_id: int) -> None:
                await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
                await _archive_until_done(api, world, work_order_id, result, deadline)

            await asyncio.gather(*(archive_at(i, wo) for i, wo in enumerate(orders)))
            await outage
            await watching
            stop_watching.set()
            await asyncio.gather(*watchers)
            assert timeline.down_at is not None
            assert timeline.back_at is not None
            result.down_seconds = timeline.back_at - timeline.down_at

            found = await invoices(sandbox, world)
            by_reference = Counter(invoice["api_reference"] for invoice in found)
            expected = {f"simon-{world.tenant_id}-wo-{wo}" for wo in orders}
            result.duplicates = sum(n - 1 for n in by_reference.values() if n > 1)
            result.missing = len(expected - set(by_reference))
    finally:
        for process in reversed(processes):
            stop(process)
        await engine.dispose()
    for service in ("simon_api", "sync_worker"):
        with contextlib.suppress(FileNotFoundError):
            text = outputs[service].read_text(errors="replace")
            result.log_lines[service] = text.count("\n")
            result.errors_logged[service] = len(re.findall(r"\[error\s*\]", text))
            result.unhandled[service] = text.count("Exception in ASGI application")
            if service == "sync_worker":
                result.worker_stops = text.count("jobs.worker.stopped")
    return result


def table(results: list[OutageResult]) -> str:
    """The issue's table, one column per case (Markdown)."""
    rows = [result.row() for result in results]
    header = "| | " + " | ".join(r.case for r in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]
    for label in rows[0]:
        lines.append(f"| {label} | " + " | ".join(row[label] for row in rows) + " |")
    return "\n".join(lines)


def summary(result: OutageResult) -> dict[str, Any]:
    return {"case": result.case, **result.row()}
