"""Bench: the first master-data import of 20,000 contacts and 5,000 products from the
sandbox (a real process) at 50 ms per request, then a resync that finds nothing changed,
then the same first import again for a new tenant at the default pace (ROMPSLOMP_MAX_RPS).

This process is the worker: it runs the sync jobs' code (`masterdata.sync.run_sync`, both
entities side by side as a worker with spare slots would) against a throw-away embedded
PostgreSQL (or a new database on DATABASE_URL's server). Both entities share the tenant's
request budget, so the unpaced floor is all pages × latency ÷ the budget's concurrency; the
paced floor is what the token bucket allows: (pages − burst) ÷ rate + one latency.

Prints two result lines. `import`: the unpaced import's wall time against its floor (target
≤ 1.25×), rows per second, this process's CPU per row during it (target ≤ 25 µs), its peak
RSS (target ≤ 250 MB), and the no-op resync's time and rows written (target 0: counted as
master-data rows whose xmin changed, or that appeared or vanished). `paced`: the paced
import against its floor (target ≤ 1.1×). Asserts nothing.

    .venv/bin/python bench/import.py [--contacts 20000] [--products 5000]
        [--latency-ms 50] [--concurrency 8] [--rps 5] [--burst 10]   (--rps 0: no paced run)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402
from _sandbox import free_port, start_sandbox, wait_healthy  # noqa: E402  (beside this script)
from cryptography.fernet import Fernet  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402

from services.sync_worker.deps import Rompslomp  # noqa: E402
from services.sync_worker.integration.state import mark_needs_reconnect  # noqa: E402
from services.sync_worker.jobs.runtime import BACKGROUND_RETRY, Runtime  # noqa: E402
from services.sync_worker.masterdata.runs import queue_runs  # noqa: E402
from services.sync_worker.masterdata.sync import run_sync  # noqa: E402
from services.sync_worker.rompslomp import BudgetRegistry, TokenSet  # noqa: E402
from services.sync_worker.rompslomp.connection import store_tokens  # noqa: E402
from services.sync_worker.rompslomp.pacing import TokenBuckets  # noqa: E402
from services.sync_worker.rompslomp.transport import http_client  # noqa: E402
from services.sync_worker.settings import SyncWorkerSettings  # noqa: E402
from shared.auth import create_tenant  # noqa: E402
from shared.db import create_engine, create_sessionmaker  # noqa: E402
from shared.enums import IntegrationState, SyncEntity, SyncRunStatus, SyncTrigger  # noqa: E402
from shared.models import Integration, IntegrationSettings  # noqa: E402

PER_PAGE = 100
ENTITIES = tuple(SyncEntity)
TABLES = ("customers", "articles", "work_addresses")


async def prepare_sandbox(
    control: httpx.AsyncClient, contacts: int, products: int
) -> tuple[int, TokenSet]:
    (await control.post("/_sandbox/reset")).raise_for_status()
    response = await control.post("/_sandbox/companies", json={"name": "Bench B.V."})
    response.raise_for_status()
    company_id = int(response.json()["company"]["id"])
    seeded = await control.post(
        f"/_sandbox/companies/{company_id}/seed",
        json={"contacts": contacts, "products": products, "seed": 1},
    )
    seeded.raise_for_status()
    minted = await control.post("/_sandbox/tokens", json={})
    minted.raise_for_status()
    body: dict[str, Any] = minted.json()
    tokens = TokenSet(
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        expires_at=datetime.now(UTC) + timedelta(seconds=int(body.get("expires_in", 7200))),
    )
    return company_id, tokens


async def prepare_tenant(
    sessions: async_sessionmaker[AsyncSession], company_id: int, tokens: TokenSet, key: str
) -> int:
    now = datetime.now(UTC)
    async with sessions() as session:
        tenant, employee, _ = await create_tenant(session, "Bench Installatie B.V.")
        session.add(Integration(tenant_id=tenant.id, state=IntegrationState.ACTIVE, started_at=now))
        session.add(
            IntegrationSettings(
                tenant_id=tenant.id,
                administration_id=company_id,
                terms_accepted_at=now,
                terms_accepted_by=employee.id,
                saved_at=now,
                saved_by=employee.id,
            )
        )
        await store_tokens(session, tenant.id, tokens, Fernet(key.encode()))
        await session.commit()
        return tenant.id


async def row_versions(sessions: async_sessionmaker[AsyncSession], tenant_id: int) -> set[str]:
    versions: set[str] = set()
    async with sessions() as session:
        for table in TABLES:
            rows = await session.execute(
                text(f"SELECT id, xmin::text FROM {table} WHERE tenant_id = :t"),  # noqa: S608
                {"t": tenant_id},
            )
            versions.update(f"{table}:{row[0]}:{row[1]}" for row in rows)
    return versions


async def timed_sync(rt: Runtime, tenant_id: int, trigger: SyncTrigger) -> tuple[float, list[Any]]:
    async with rt.sessions() as session:
        await queue_runs(session, tenant_id, ENTITIES, trigger=trigger)
        await session.commit()
    started = time.perf_counter()
    runs = await asyncio.gather(*(run_sync(rt, tenant_id, entity) for entity in ENTITIES))
    return time.perf_counter() - started, list(runs)


def listed_pages(runs: list[Any]) -> int:
    """Pages the runs listed: contacts that are suppliers (about one in ten of the seeded
    ones) are not listed as customers."""
    return sum(math.ceil((r.total or 0) / PER_PAGE) for r in runs if r is not None)


async def sample_rss(peak: list[int], stop: asyncio.Event) -> None:
    process = psutil.Process()
    while not stop.is_set():
        peak[0] = max(peak[0], process.memory_info().rss)
        await asyncio.sleep(0.01)


async def paced_import(
    args: argparse.Namespace,
    sessions: async_sessionmaker[AsyncSession],
    engine: Any,
    http: httpx.AsyncClient,
    settings: SyncWorkerSettings,
    company_id: int,
    tokens: TokenSet,
    key: str,
) -> str:
    """A new tenant's first import of the same administration, paced as in production."""
    tenant_id = await prepare_tenant(sessions, company_id, tokens, key)
    buckets = TokenBuckets(engine, rate=args.rps, burst=args.burst)
    try:
        rompslomp = Rompslomp(
            http=http,
            budgets=BudgetRegistry(args.concurrency, pacing=buckets),
            settings=settings,
            on_revoked=mark_needs_reconnect,
            retry=BACKGROUND_RETRY,
        )
        rt = Runtime(sessions=sessions, rompslomp=rompslomp, settings=settings)
        wall, runs = await timed_sync(rt, tenant_id, SyncTrigger.INITIAL)
    finally:
        await buckets.aclose()
    pages = listed_pages(runs)
    unpaced = pages * (args.latency_ms / 1000) / args.concurrency
    floor = max(unpaced, (pages - args.burst) / args.rps + args.latency_ms / 1000)
    rows = sum(r.added + r.changed for r in runs if r is not None)
    return (
        f"paced rps={args.rps:g} burst={args.burst} pages={pages} rows={rows} "
        f"paced_import_s={wall:.3f} paced_floor_s={floor:.3f} "
        f"ratio={wall / floor:.3f}x (target <= 1.1x)"
    )


async def run(args: argparse.Namespace, url: str) -> str:
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_sandbox(port)
    engine = create_engine(url, pool_size=5)
    sessions = create_sessionmaker(engine)
    key = Fernet.generate_key().decode()
    settings = SyncWorkerSettings(
        database_url=url,
        rompslomp_api_url=base,
        token_encryption_key=SecretStr(key),
    )
    slots = args.concurrency + 2
    # The worker's HTTP client (main.py), sized for this one tenant's budget.
    http = http_client(
        max_connections=slots, max_keepalive_connections=slots, timeout=httpx.Timeout(60.0)
    )
    try:
        await wait_healthy(base, process)
        async with httpx.AsyncClient(base_url=base, timeout=120.0) as control:
            company_id, tokens = await prepare_sandbox(control, args.contacts, args.products)
            tenant_id = await prepare_tenant(sessions, company_id, tokens, key)
            rompslomp = Rompslomp(
                http=http,
                budgets=BudgetRegistry(args.concurrency),
                settings=settings,
                on_revoked=mark_needs_reconnect,
                retry=BACKGROUND_RETRY,
            )
            rt = Runtime(sessions=sessions, rompslomp=rompslomp, settings=settings)
            # Warm the connection pool as a long-running worker's would be; not measured.
            await asyncio.gather(*(http.get(f"{base}/health") for _ in range(args.concurrency)))
            faults = {"latency_ms": args.latency_ms}
            (await control.put("/_sandbox/faults", json=faults)).raise_for_status()
            (await control.post("/_sandbox/stats/reset")).raise_for_status()

            me, sandbox = psutil.Process(), psutil.Process(process.pid)
            cpu_before = (sum(me.cpu_times()[:2]), sum(sandbox.cpu_times()[:2]))
            peak = [0]
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_rss(peak, stop))
            first_wall, first_runs = await timed_sync(rt, tenant_id, SyncTrigger.INITIAL)
            stop.set()
            await sampler
            first_requests = (await control.get("/_sandbox/stats")).json()["requests"]
            worker_cpu = sum(me.cpu_times()[:2]) - cpu_before[0]
            sandbox_cpu = sum(sandbox.cpu_times()[:2]) - cpu_before[1]

            before = await row_versions(sessions, tenant_id)
            (await control.post("/_sandbox/stats/reset")).raise_for_status()
            noop_wall, noop_runs = await timed_sync(rt, tenant_id, SyncTrigger.MANUAL)
            after = await row_versions(sessions, tenant_id)
            noop_requests = (await control.get("/_sandbox/stats")).json()["requests"]
            paced = ""
            if args.rps > 0:
                paced = await paced_import(
                    args, sessions, engine, http, settings, company_id, tokens, key
                )
    finally:
        await http.aclose()
        await engine.dispose()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    for run_ in (*first_runs, *noop_runs):
        if run_ is None or run_.status != SyncRunStatus.FINISHED:
            print(f"warning: a run did not finish: {run_}", file=sys.stderr)
    rows = sum(r.added + r.changed for r in first_runs if r is not None)
    pages = listed_pages(first_runs)
    floor = max(pages * (args.latency_ms / 1000) / args.concurrency, 1e-9)
    written = len(before ^ after)
    ru_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_row = worker_cpu / max(rows, 1) * 1e6
    line = (
        f"import contacts={args.contacts} products={args.products} "
        f"latency_ms={args.latency_ms} concurrency={args.concurrency} pages={pages} "
        f"first_import_s={first_wall:.3f} floor_s={floor:.3f} "
        f"ratio={first_wall / floor:.2f}x (target <= 1.25x) "
        f"rows={rows} rows_per_s={rows / first_wall:.0f} requests={first_requests} "
        f"worker_cpu_us_per_row={per_row:.1f} (target <= 25) "
        f"peak_rss_mb={peak[0] / 2**20:.0f} (ru_maxrss {ru_peak_mb:.0f}; target <= 250) "
        f"noop_resync_s={noop_wall:.3f} noop_rows_written={written} (target 0) "
        f"noop_requests={noop_requests} | first import CPU: worker {worker_cpu:.2f} s, "
        f"sandbox {sandbox_cpu:.2f} s on {psutil.cpu_count()} CPUs"
    )
    return line + (f"\n{paced}" if paced else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8, help="the tenant's request budget")
    parser.add_argument("--port", type=int, default=0, help="sandbox port (0 = a free one)")
    parser.add_argument(
        "--rps", type=float, default=5.0, help="pace of the paced run (0 = no paced run)"
    )
    parser.add_argument("--burst", type=int, default=10, help="the paced run's burst")
    args = parser.parse_args()

    from shared.migrate import upgrade
    from tests.support.database import admin_execute, with_database

    server = None
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        import pgserver

        directory = tempfile.mkdtemp(prefix="simon-import-")
        os.environ.setdefault("XDG_RUNTIME_DIR", directory)
        server = pgserver.get_server(directory, cleanup_mode="delete")
        base_url = f"postgresql://postgres@/postgres?host={directory}"
    name = f"simon_import_{uuid.uuid4().hex[:8]}"
    admin_execute(base_url, f"CREATE DATABASE {name}")
    url = with_database(base_url, name)
    upgrade(url)
    try:
        print(asyncio.run(run(args, url)))
    finally:
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
