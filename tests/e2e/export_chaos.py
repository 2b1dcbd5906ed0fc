"""The export under chaos, on real processes (used by test_export_chaos.py and
bench/chaos_export.py).

A sandbox, simon_api and N sync_worker processes on a migrated database. Work orders of
several tenants are completed, then archived while the sandbox injects 5xx, timeouts (504),
429s with Retry-After, "store the invoice, then drop the connection" and "late commit"
(503 at once, the invoice stored a second later without its api_reference check), and a
worker is killed with SIGKILL every few seconds and started again. The workers settle an
ambiguous POST after EXPORT_SETTLE_SECONDS (shortened here, but longer than the late
commit's delay: the longest Rompslomp may still be working on a request). Then, with the
faults and the killing stopped, every archive must end as its data says: exactly one
concept invoice (by `api_reference`), or `skipped` (filter word), or `failed` (no
customer) with no invoice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import text

from shared.db import create_engine
from tests.e2e.export_world import World, archive, completed_work_order, invoices, make_world
from tests.support.processes import ROOT, free_port

CHAOS_FAULTS: dict[str, Any] = {
    "latency_ms": 60,
    "error_rate": 0.08,
    "timeout_rate": 0.02,
    "timeout_seconds": 1.0,
    "drop_after_commit_rate": 0.2,
    "late_commit_rate": 0.1,
    "late_commit_seconds": 1.0,
    "rate_limit": {"requests": 6, "per_seconds": 1.0},
    "seed": 7,
}
# Longer than the late commit's delay; short, so a run settles in seconds, not minutes.
SETTLE_SECONDS = 3.0
# The lease of a POST in flight is twice this: a killed worker's export waits that long.
POST_TIMEOUT_SECONDS = 5.0


def expected_status(index: int) -> str:
    """What the data of work order `index` says: filter word, no customer, or an invoice."""
    if index % 10 == 3:
        return "skipped"
    if index % 10 == 7:
        return "failed"
    return "sent"


@dataclass
class ChaosResult:
    archived: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    missing: int = 0
    unexpected: int = 0
    unsettled: int = 0
    kills: int = 0
    stalled_jobs_retried: int = 0
    archive_seconds: float = 0.0
    settle_seconds: float = 0.0
    export_settle_seconds: float = SETTLE_SECONDS
    sandbox: dict[str, Any] = field(default_factory=dict)
    # The sandbox's counts when the faults were lifted (the settling after runs without them).
    sandbox_under_faults: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"archived={self.archived} sent={self.statuses['sent']} "
            f"skipped={self.statuses['skipped']} failed={self.statuses['failed']} "
            f"duplicates={self.duplicates} missing={self.missing} unexpected={self.unexpected} "
            f"unsettled={self.unsettled} "
            f"kills={self.kills} stalled_jobs_retried={self.stalled_jobs_retried} "
            f"archive_s={self.archive_seconds:.1f} "
            f"settled_after_s={self.settle_seconds:.1f} "
            f"sandbox_by_status={self.sandbox.get('by_status')} "
            f"dropped={self.sandbox.get('dropped')} "
            f"late_commits={self.sandbox.get('late_commits')} "
            f"invoice_posts={self.sandbox.get('invoice_posts')} "
            f"EXPORT_SETTLE_SECONDS={self.export_settle_seconds:g}"
        )


class Service:
    """One uvicorn process, restartable, its output appended to a log file."""

    def __init__(self, factory: str, env: dict[str, str], log: Path) -> None:
        self.factory, self.env, self.log = factory, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    self.factory,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.factory} exited: see {self.log}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.factory} did not become healthy")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no cleanup, no graceful shutdown
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@contextlib.contextmanager
def stack(
    database_url: str,
    logs: Path,
    *,
    workers: int = 2,
    settle_seconds: float = SETTLE_SECONDS,
    worker_env: dict[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    key = Fernet.generate_key().decode()
    sandbox = Service("services.rompslomp_sandbox.app:create_app", {}, logs / "sandbox.log")
    api = Service(
        "services.simon_api.main:create_app", {"DATABASE_URL": database_url}, logs / "api.log"
    )
    started: list[Service] = []
    try:
        for service in (sandbox, api):
            service.start()
            started.append(service)
        environment = {
            "DATABASE_URL": database_url,
            "ROMPSLOMP_API_URL": sandbox.url,
            "ROMPSLOMP_OAUTH_URL": sandbox.url,
            "TOKEN_ENCRYPTION_KEY": key,
            "DB_POOL_SIZE": "10",
            "EXPORT_SETTLE_SECONDS": str(settle_seconds),
            "EXPORT_POST_TIMEOUT_SECONDS": str(POST_TIMEOUT_SECONDS),
            **(worker_env or {}),
        }
        pool = [
            Service("services.sync_worker.main:create_app", environment, logs / f"worker{n}.log")
            for n in range(workers)
        ]
        for worker in pool:
            worker.start()
            started.append(worker)
        yield {
            "key": key,
            "sandbox": sandbox.url,
            "api": api.url,
            "workers": pool,
            "services": {"sandbox": sandbox, "api": api},
        }
    finally:
        for service in reversed(started):
            service.stop()


async def _export_counts(engine: Any) -> Counter[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT status, count(*) FROM invoice_exports GROUP BY status")
        )
        return Counter({row[0]: int(row[1]) for row in rows})


async def run_chaos(
    database_url: str,
    logs: Path,
    *,
    tenants: int,
    archives: int,
    workers: int = 2,
    kill_every: float = 3.0,
    archive_rate: float | None = None,
    settle_deadline: float = 240.0,
    faults: dict[str, Any] | None = None,
    min_kills: int = 0,
    settle_seconds: float = SETTLE_SECONDS,
) -> ChaosResult:
    result = ChaosResult(export_settle_seconds=settle_seconds)
    engine = create_engine(database_url, pool_size=4)
    with stack(database_url, logs, workers=workers, settle_seconds=settle_seconds) as running:
        sandbox = httpx.AsyncClient(base_url=running["sandbox"], timeout=30)
        api = httpx.AsyncClient(
            base_url=running["api"],
            timeout=30,
            limits=httpx.Limits(max_connections=32, keepalive_expiry=2.0),
        )
        async with sandbox, api:
            worlds: list[World] = [
                await make_world(engine, sandbox, running["key"], f"Chaos {n} BV")
                for n in range(tenants)
            ]
            gate = asyncio.Semaphore(16)

            async def prepare(index: int) -> tuple[int, World, int]:
                world = worlds[index % tenants]
                status = expected_status(index)
                async with gate:
                    work_order_id = await completed_work_order(
                        api,
                        world,
                        description="Garantie: kraan" if status == "skipped" else "Lekkage",
                        customer=None if status == "failed" else index % 2,
                    )
                return index, world, work_order_id

            orders = await asyncio.gather(*(prepare(i) for i in range(archives)))

            await sandbox.put("/_sandbox/faults", json=faults or CHAOS_FAULTS)
            await sandbox.post("/_sandbox/stats/reset")
            stop_killing = asyncio.Event()
            enough_kills = asyncio.Event()
            if min_kills <= 0:
                enough_kills.set()
            pool: list[Service] = running["workers"]

            async def killer() -> None:
                turn = 0
                while not stop_killing.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop_killing.wait(), kill_every)
                    if stop_killing.is_set():
                        return
                    victim = pool[turn % len(pool)]
                    turn += 1
                    victim.kill()
                    result.kills += 1
                    if result.kills >= min_kills:
                        enough_kills.set()
                    await asyncio.to_thread(victim.start)

            killing = asyncio.create_task(killer())
            started = time.monotonic()

            async def archive_one(index: int, world: World, work_order_id: int) -> None:
                if archive_rate:  # spread the archives so kills land while exports run
                    await asyncio.sleep(max(0.0, started + index / archive_rate - time.monotonic()))
                async with gate:
                    await archive(api, world, work_order_id)

            await asyncio.gather(*(archive_one(i, w, wo) for i, w, wo in orders))
            result.archived = len(orders)
            result.archive_seconds = time.monotonic() - started
            # Keep killing for a while after the last archive, while exports are in flight,
            # and at least until `min_kills` happened (a loaded machine restarts slowly).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(killing), kill_every + 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(enough_kills.wait(), 120.0)
            stop_killing.set()
            await killing
            result.sandbox_under_faults = (await sandbox.get("/_sandbox/stats")).json()
            await sandbox.delete("/_sandbox/faults")

            deadline = time.monotonic() + settle_deadline
            while time.monotonic() < deadline:
                counts = await _export_counts(engine)
                final = counts["sent"] + counts["failed"] + counts["skipped"]
                if final >= result.archived:
                    break
                await asyncio.sleep(0.25)
            result.settle_seconds = time.monotonic() - started
            result.sandbox = (await sandbox.get("/_sandbox/stats")).json()

            async with engine.connect() as connection:
                rows = await connection.execute(
                    text(
                        "SELECT work_order_id, status, api_reference, rompslomp_invoice_id "
                        "FROM invoice_exports"
                    )
                )
                exports = {row.work_order_id: row for row in rows}
            for world in worlds:
                found = await invoices(sandbox, world)
                by_reference = Counter(invoice["api_reference"] for invoice in found)
                result.duplicates += sum(n - 1 for n in by_reference.values() if n > 1)
                mine = {wo for _, w, wo in orders if w is world}
                expected_refs = {
                    f"simon-{world.tenant_id}-wo-{wo}"
                    for index, w, wo in orders
                    if w is world and expected_status(index) == "sent"
                }
                result.unexpected += len(set(by_reference) - expected_refs)
                result.missing += len(expected_refs - set(by_reference))
                ids = {invoice["api_reference"]: invoice["id"] for invoice in found}
                for wo in mine:
                    row = exports.get(wo)
                    if row is not None and row.status == "sent":
                        assert ids.get(row.api_reference) == row.rompslomp_invoice_id
            for index, _, wo in orders:
                row = exports.get(wo)
                status = row.status if row is not None else "missing"
                result.statuses[status] += 1
                if status not in ("sent", "failed", "skipped"):
                    result.unsettled += 1
                elif status != expected_status(index):
                    result.unexpected += 1
    await engine.dispose()
    result.stalled_jobs_retried = _count_in_logs(logs, "jobs.stalled.retried")
    return result


def _count_in_logs(logs: Path, needle: str) -> int:
    return sum(log.read_text(errors="replace").count(needle) for log in logs.glob("worker*.log"))
