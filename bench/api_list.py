"""GET /work-orders (50 per page, walking cursors) against GET /health, same load.

Seeds 100k work orders over 10 tenants (each with two time entries and a material) in a
throw-away embedded PostgreSQL (or DATABASE_URL), starts simon_api with uvicorn on
127.0.0.1, then runs the same number of concurrent clients against each endpoint for the
same time, from separate load processes. Prints req/s, p50 and p99 of both and the ratio,
the server's CPU per request (Linux) and the machine's load average before each run: on a
shared machine the ratio moves with whatever else runs, the CPU per request much less.

    .venv/bin/python bench/api_list.py [--clients 8] [--seconds 20] [--load-processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TENANTS = 10
WORK_ORDERS = 100_000

# Set-based seeding with triggers paused (superuser only, as the embedded server is: no
# foreign-key checks), then each work order's API view written as simon_api writes it
# (shared/work_order_view.py).
SEED_SQL = """
SET session_replication_role = replica;
INSERT INTO customers (tenant_id, name, city, source, active)
SELECT :tenant_id, 'Klant ' || n, 'Utrecht', 'simon', true FROM generate_series(1, 200) n;
INSERT INTO work_addresses (tenant_id, customer_id, street, city, source)
SELECT tenant_id, id, 'Kerkstraat ' || id, 'Utrecht', 'simon' FROM customers
 WHERE tenant_id = :tenant_id;
INSERT INTO articles (tenant_id, code, description, price, source, active)
SELECT :tenant_id, 'ART' || n, 'Artikel ' || n, 2.35 + n, 'simon', true
  FROM generate_series(1, 50) n;
INSERT INTO work_orders (tenant_id, number, status, customer_id, work_address_id, description,
                         assignee_id, planned_date, archive_count)
SELECT :tenant_id, '2026-' || lpad(n::text, 5, '0'),
       (ARRAY['created','planned','completed','archived'])[1 + n % 4],
       c.id, a.id, 'Werkbon ' || n || ': cv-ketel onderhoud', :employee_id,
       DATE '2026-01-01' + (n % 300), 0
  FROM generate_series(1, :per_tenant) n
  JOIN LATERAL (SELECT id FROM customers WHERE tenant_id = :tenant_id
                 ORDER BY id OFFSET (n % 200) LIMIT 1) c ON true
  JOIN LATERAL (SELECT id FROM work_addresses WHERE customer_id = c.id LIMIT 1) a ON true;
INSERT INTO time_entries (tenant_id, work_order_id, kind, minutes, employee_id, date)
SELECT tenant_id, id, k.kind, k.minutes, :employee_id, planned_date
  FROM work_orders, (VALUES ('work', 120), ('travel', 15)) k(kind, minutes)
 WHERE tenant_id = :tenant_id;
INSERT INTO materials (tenant_id, work_order_id, article_id, quantity, unit_price)
SELECT w.tenant_id, w.id, ar.id, 2, ar.price
  FROM work_orders w
  JOIN LATERAL (SELECT id, price FROM articles WHERE tenant_id = :tenant_id
                 ORDER BY id OFFSET (w.id % 50) LIMIT 1) ar ON true
 WHERE w.tenant_id = :tenant_id;
INSERT INTO work_order_counters (tenant_id, year, last_number)
VALUES (:tenant_id, 2026, :per_tenant);
SET session_replication_role = origin;
"""


async def seed(database_url: str) -> list[str]:
    from sqlalchemy import text

    from shared.auth import create_tenant
    from shared.db import create_engine, create_sessionmaker
    from shared.work_order_view import refresh_tenant_views

    engine = create_engine(database_url, pool_size=1)
    keys = []
    async with create_sessionmaker(engine)() as session:
        for t in range(TENANTS):
            tenant, employee, key = await create_tenant(session, f"Bench tenant {t}")
            keys.append(key)
            for statement in SEED_SQL.split(";\n"):
                if statement.strip():
                    await session.execute(
                        text(statement),
                        {
                            "tenant_id": tenant.id,
                            "employee_id": employee.id,
                            "per_tenant": WORK_ORDERS // TENANTS,
                        },
                    )
            await refresh_tenant_views(session, tenant.id)
        await session.commit()
    # What autovacuum would have done by the time a real database holds this much.
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost far less than
    the server it measures (httpx spends ~2 ms of CPU per request, more than simon_api's
    /health; this costs a few tens of microseconds)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await self.reader.readexactly(length)
        return status, body


async def _load(base: str, path: str, keys: list[str], clients: int, seconds: float) -> list[float]:
    import json
    from urllib.parse import urlencode, urlsplit

    address = urlsplit(base)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one_client(n: int) -> None:
        connection = Connection(address.hostname or "127.0.0.1", address.port or 80)
        headers = {"Authorization": f"Bearer {keys[n % len(keys)]}"}
        cursor = None
        while time.perf_counter() < deadline:
            query = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            target = path if path == "/health" else f"{path}?{urlencode(query)}"
            started = time.perf_counter()
            status, body = await connection.get(target, headers)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"{path}: {status} {body[:200]!r}")
            if path != "/health":
                # Only the cursor is needed: read it off the tail instead of parsing ~35 kB
                # of JSON, which would load the shared CPUs more than the server's /health.
                tail = body[body.rindex(b'"next_cursor"') :]
                cursor = json.loads(b"{" + tail)["next_cursor"]

    await asyncio.gather(*(one_client(n + random.randrange(1000)) for n in range(clients)))
    return latencies


def _load_process(args: tuple[str, str, list[str], int, float]) -> list[float]:
    import uvloop

    return uvloop.run(_load(*args))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc); None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    base: str, path: str, keys: list[str], args: argparse.Namespace, server: int
) -> tuple[float, float, float, int, float | None, float]:
    """run_load's figures, the server's CPU µs per request and the 1-minute load before."""
    load = os.getloadavg()[0]
    before = cpu_seconds(server)
    rate, p50, p99, count = run_load(
        base, path, keys, args.clients, args.seconds, args.load_processes
    )
    after = cpu_seconds(server)
    cpu = None if before is None or after is None else (after - before) / count * 1e6
    return rate, p50, p99, count, cpu, load


def run_load(
    base: str, path: str, keys: list[str], clients: int, seconds: float, processes: int
) -> tuple[float, float, float, int]:
    per_process = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        parts = pool.map(_load_process, [(base, path, keys, n, seconds) for n in per_process])
        elapsed = time.perf_counter() - started
    latencies = sorted(x for part in parts for x in part)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return len(latencies) / elapsed, p50, p99, len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--load-processes", type=int, default=1)
    args = parser.parse_args()

    from shared.migrate import upgrade

    server = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        import pgserver

        directory = tempfile.mkdtemp(prefix="simon-bench-")
        os.environ.setdefault("XDG_RUNTIME_DIR", directory)
        server = pgserver.get_server(directory, cleanup_mode="delete")
        database_url = f"postgresql://postgres@/postgres?host={directory}"
    upgrade(database_url)
    started = time.perf_counter()
    keys = asyncio.run(seed(database_url))
    print(
        f"seeded {WORK_ORDERS} work orders over {TENANTS} tenants in "
        f"{time.perf_counter() - started:.1f} s"
    )

    port = free_port()
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.simon_api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        run_load(base, "/api/v1/work-orders", keys, args.clients, 2, args.load_processes)
        run_load(base, "/health", keys, args.clients, 2, args.load_processes)  # warm-up
        health = measure(base, "/health", keys, args, api.pid)
        listing = measure(base, "/api/v1/work-orders", keys, args, api.pid)
    finally:
        api.terminate()
        api.wait()
        if server is not None:
            server.cleanup()
    for name, (rate, p50, p99, count, cpu, load) in (
        ("/health", health),
        ("/work-orders", listing),
    ):
        server_cpu = f"{cpu:5.0f} µs" if cpu is not None else "    ?"
        print(
            f"{name:13s} {rate:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
            f"server CPU {server_cpu}/request  load average {load:.2f}  ({count} requests)"
        )
    print(
        f"RESULT clients={args.clients} list_rps={listing[0]:.0f} list_p99_ms={listing[2]:.1f} "
        f"health_rps={health[0]:.0f} health_p99_ms={health[2]:.1f} "
        f"throughput_ratio={listing[0] / health[0]:.2f} (targets: p99 <= 50 ms, ratio >= 0.33) "
        f"list_cpu_us={listing[4] or 0:.0f} health_cpu_us={health[4] or 0:.0f} "
        f"load={health[5]:.2f}/{listing[5]:.2f}"
    )


if __name__ == "__main__":
    main()
