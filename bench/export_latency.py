"""Archive → concept invoice latency: 20 archives per second for 60 s over 20 tenants
against the sandbox at 0 ms latency (targets: p99 ≤ 250 ms at 20/s over 20 tenants;
p99 ≤ 500 ms at `--rate 60 --seconds 30 --tenants 50`).

Starts the sandbox, simon_api and sync workers (default 2) on a throw-away embedded
PostgreSQL (or a new database on DATABASE_URL's server), prepares completed work orders
(120 min work, 15 min travel, two materials each), archives them over simon_api at a fixed
pace, and waits until every export is sent. Latency per work order = the export's `sent_at`
(stored right after Rompslomp answered 201) − the work order's `archived_at` (set in
simon_api's archive transaction). Prints p50, p95, p99 and the maximum over every sample of
the run (nothing warms the stack up before it: the sync workers warm their own pools at
start, as in production) and per 10 s of archiving, the archive and export rates achieved
beside the requested one, the mean, p50 and p99 of each stage (archive → relayed → export
job started → sent; the archive call and its part after `archived_at`), the CPU each part
of the stack spent per archive during the run (simon_api, the workers, the sandbox, the
database's backends), and the load average before and after (other work on the machine
moves the latencies far more than the CPU figures).

    .venv/bin/python bench/export_latency.py [--rate 20] [--seconds 60] [--tenants 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IN_FLIGHT = 16  # archive calls at once
sys.path.insert(0, str(ROOT))


async def run(
    url: str, logs: Path, *, rate: float, seconds: float, tenants: int, workers: int
) -> dict[str, Any]:
    import httpx
    from sqlalchemy import text

    from shared.db import create_engine
    from tests.e2e.export_chaos import stack
    from tests.e2e.export_world import archive, completed_work_order, make_world

    total = int(rate * seconds)
    engine = create_engine(url, pool_size=4)
    with stack(url, logs, workers=workers) as running:
        sandbox = httpx.AsyncClient(base_url=running["sandbox"], timeout=30)
        api = httpx.AsyncClient(
            base_url=running["api"],
            timeout=30,
            limits=httpx.Limits(
                max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT, keepalive_expiry=2.0
            ),
        )
        async with sandbox, api:
            await sandbox.delete("/_sandbox/faults")  # 0 ms latency, no faults
            worlds = [
                await make_world(
                    engine, sandbox, running["key"], f"Latency {n} BV", filter_word=None
                )
                for n in range(tenants)
            ]
            gate = asyncio.Semaphore(24)

            async def prepare(index: int) -> tuple[Any, int]:
                world = worlds[index % tenants]
                async with gate:
                    return world, await completed_work_order(api, world, customer=index % 2)

            prepared = time.perf_counter()
            orders = await asyncio.gather(*(prepare(i) for i in range(total)))
            print(
                f"prepared {total} completed work orders in {time.perf_counter() - prepared:.1f} s"
            )

            services = running["services"]
            meter = CpuMeter(
                {
                    "api": [services["api"].process.pid],
                    "workers": [worker.process.pid for worker in running["workers"]],
                    "sandbox": [services["sandbox"].process.pid],
                },
                url.rsplit("/", 1)[1].split("?")[0],
            )
            started = time.monotonic()
            late = 0

            # Archive calls in flight are capped (a frontend does not open 60 connections):
            # httpx's pool scans every waiting request against every connection, and with
            # hundreds queued there the bench itself ate the CPU the stack needed.
            in_flight = asyncio.Semaphore(IN_FLIGHT)

            answered: dict[int, float] = {}  # work order → wall clock of the 200
            calls: list[float] = []  # seconds per archive call

            async def archive_at(index: int, world: Any, work_order_id: int) -> None:
                nonlocal late
                due = started + index / rate
                if due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())
                async with in_flight:
                    if time.monotonic() - due > 0.05:
                        late += 1
                    call = time.monotonic()
                    await archive(api, world, work_order_id)
                    calls.append(time.monotonic() - call)
                    answered[work_order_id] = time.time()

            await asyncio.gather(*(archive_at(i, w, wo) for i, (w, wo) in enumerate(orders)))
            archive_seconds = time.monotonic() - started
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                async with engine.connect() as connection:
                    done = await connection.scalar(
                        text("SELECT count(*) FROM invoice_exports WHERE status = 'sent'")
                    )
                if done >= total:
                    break
                await asyncio.sleep(0.25)
            cpu = meter.spent()
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        text(
                            "SELECT w.id, extract(epoch FROM e.sent_at - w.archived_at) AS seconds,"
                            " extract(epoch FROM w.archived_at) AS at, "
                            "extract(epoch FROM o.processed_at) AS relayed "
                            "FROM invoice_exports e JOIN work_orders w ON w.id = e.work_order_id "
                            "JOIN outbox_events o ON o.id = e.event_id WHERE e.status = 'sent'"
                        )
                    )
                ).all()
                samples = [(float(row.at), float(row.seconds)) for row in rows]
                # The archive's own tail (archived_at is set inside its transaction, before
                # the view, the event and the commit) and answered → relayed, per work order.
                tails = sorted(
                    answered[row.id] - float(row.at) for row in rows if row.id in answered
                )
                to_relay = sorted(
                    float(row.relayed) - answered[row.id] for row in rows if row.id in answered
                )
                span = await connection.scalar(
                    text(
                        "SELECT extract(epoch FROM max(e.sent_at) - min(w.archived_at)) "
                        "FROM invoice_exports e JOIN work_orders w ON w.id = e.work_order_id "
                        "WHERE e.status = 'sent'"
                    )
                )
                latencies = sorted(seconds for _, seconds in samples)
                first = min((at for at, _ in samples), default=0.0)
                windows: dict[int, list[float]] = {}
                for at, seconds in samples:
                    windows.setdefault(int((at - first) // 10), []).append(seconds)
                # Where the time goes: archive → relayed → export job started → sent.
                stages = [
                    sorted(float(x) for x in column)
                    for column in zip(
                        *(
                            await connection.execute(
                                text(
                                    "SELECT extract(epoch FROM o.processed_at - w.archived_at),"
                                    " extract(epoch FROM e.created_at - o.processed_at),"
                                    " extract(epoch FROM e.sent_at - e.created_at) "
                                    "FROM invoice_exports e "
                                    "JOIN work_orders w ON w.id = e.work_order_id "
                                    "JOIN outbox_events o ON o.id = e.event_id "
                                    "WHERE e.status = 'sent'"
                                )
                            )
                        ).all(),
                        strict=True,
                    )
                ]
            invoices = 0
            for world in worlds:
                found = await sandbox.get(f"/_sandbox/companies/{world.company_id}/sales_invoices")
                invoices += len(found.json()["sales_invoices"])
    await engine.dispose()
    return {
        "total": total,
        "sent": len(latencies),
        "invoices": invoices,
        "archive_seconds": archive_seconds,
        "late": late,
        "latencies": latencies,
        "stages": stages,
        "cpu": cpu,
        "calls": sorted(calls),
        "tails": tails,
        "to_relay": to_relay,
        "export_span": float(span or 0),
        "windows": {n: sorted(v) for n, v in sorted(windows.items())},
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(database: str) -> dict[int, float]:
    """CPU so far of every PostgreSQL backend connected to `database`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres:") and f" {database} " in command:
                found[int(entry.name)] = _cpu_seconds(int(entry.name))
    return found


class CpuMeter:
    """CPU each part of the stack spent during the timed run: a figure the other work on
    this machine changes little, unlike the latencies."""

    def __init__(self, processes: dict[str, list[int]], database: str) -> None:
        self.processes, self.database = processes, database
        self.start = self._now()

    def _now(self) -> dict[str, float]:
        now = {
            name: sum(_cpu_seconds(pid) for pid in pids) for name, pids in self.processes.items()
        }
        now["postgres"] = sum(_backends(self.database).values())
        return now

    def spent(self) -> dict[str, float]:
        end = self._now()
        return {name: end[name] - self.start[name] for name in end}


def percentile(values: list[float], fraction: float) -> float:
    index = max(0, min(len(values) - 1, round(fraction * len(values)) - 1))
    return values[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20.0, help="archives per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from shared.migrate import upgrade
    from tests.support.database import admin_execute, with_database

    server = None
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        import pgserver

        directory = tempfile.mkdtemp(prefix="simon-latency-")
        os.environ.setdefault("XDG_RUNTIME_DIR", directory)
        server = pgserver.get_server(directory, cleanup_mode="delete")
        base_url = f"postgresql://postgres@/postgres?host={directory}"
    name = f"simon_latency_{uuid.uuid4().hex[:8]}"
    admin_execute(base_url, f"CREATE DATABASE {name}")
    url = with_database(base_url, name)
    upgrade(url)
    logs = Path(tempfile.mkdtemp(prefix="simon-latency-logs-"))
    loads = [" ".join(f"{x:.2f}" for x in os.getloadavg())]
    try:
        result = asyncio.run(
            run(
                url,
                logs,
                rate=args.rate,
                seconds=args.seconds,
                tenants=args.tenants,
                workers=args.workers,
            )
        )
    finally:
        loads.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
        if server is not None:
            server.cleanup()
    latencies = result["latencies"]
    if not latencies:
        print("RESULT no export was sent")
        return
    p50 = statistics.median(latencies)
    p95, p99 = percentile(latencies, 0.95), percentile(latencies, 0.99)
    archived_rate = result["total"] / result["archive_seconds"]
    exported_rate = result["sent"] / result["export_span"] if result["export_span"] else 0.0
    target = 250 if args.rate <= 20 else 500
    print(
        f"RESULT archives={result['total']} sent={result['sent']} invoices={result['invoices']} "
        f"requested={args.rate:g}/s archived={archived_rate:.1f}/s "
        f"exported={exported_rate:.1f}/s late_archives={result['late']} "
        f"workers={args.workers} tenants={args.tenants} "
        f"p50={p50 * 1000:.0f}ms p95={p95 * 1000:.0f}ms p99={p99 * 1000:.0f}ms "
        f"max={latencies[-1] * 1000:.0f}ms (target p99 <= {target} ms)"
    )
    print(
        "p99 per 10 s of archiving: "
        + " ".join(
            f"{n * 10}-{n * 10 + 10}s={percentile(v, 0.99) * 1000:.0f}ms"
            for n, v in result["windows"].items()
        )
    )

    def figures(values: list[float]) -> str:
        if not values:
            return "-"
        return (
            f"mean {statistics.fmean(values) * 1000:.0f}"
            f" / p50 {statistics.median(values) * 1000:.0f}"
            f" / p99 {percentile(values, 0.99) * 1000:.0f} ms"
        )

    relay, pickup, export = result["stages"] or ([], [], [])
    print(
        f"stages (mean / p50 / p99): archive→relayed {figures(relay)}; relayed→job started "
        f"{figures(pickup)}; job started→sent {figures(export)}"
    )
    print(
        f"archive call {figures(result['calls'])}; of it archived_at→answered "
        f"{figures(result['tails'])}; answered→relayed {figures(result['to_relay'])}"
    )
    print(
        "CPU per archive (ms): "
        + " ".join(
            f"{name}={seconds * 1000 / result['total']:.1f}"
            for name, seconds in result["cpu"].items()
        )
    )
    print(f"load average before {loads[0]}, after {loads[1]} (other work on this machine)")


if __name__ == "__main__":
    main()
