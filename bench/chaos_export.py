"""R-EXPORT-6 at full size: 1,000 archives over 10 tenants while two sync workers are
SIGKILLed in turn every few seconds and the sandbox injects 5xx, 504s, 429s,
drop-after-commit and late commits (503 at once, the invoice stored a second later without
its api_reference check: 10 % of the POSTs that get past the other faults). The same run
as tests/e2e/test_export_chaos.py, bigger.

The workers settle an ambiguous POST after EXPORT_SETTLE_SECONDS, shortened here
(`--settle`, default 3 s) but longer than the late commit's delay; the line says which.
Uses a throw-away embedded PostgreSQL (or DATABASE_URL's server, in a new database).
Prints one line: duplicates, missing, elapsed time and what the chaos did.

    .venv/bin/python bench/chaos_export.py [--archives 1000] [--tenants 10] [--rate 20]
        [--settle 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--archives", type=int, default=1000)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=20.0, help="archives per second")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="EXPORT_SETTLE_SECONDS of the workers"
    )
    args = parser.parse_args()

    from shared.migrate import upgrade
    from tests.e2e.export_chaos import run_chaos
    from tests.support.database import admin_execute, with_database

    server = None
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        import pgserver

        directory = tempfile.mkdtemp(prefix="simon-chaos-")
        os.environ.setdefault("XDG_RUNTIME_DIR", directory)
        server = pgserver.get_server(directory, cleanup_mode="delete")
        base_url = f"postgresql://postgres@/postgres?host={directory}"
    name = f"simon_chaos_{uuid.uuid4().hex[:8]}"
    admin_execute(base_url, f"CREATE DATABASE {name}")
    url = with_database(base_url, name)
    upgrade(url)
    logs = Path(tempfile.mkdtemp(prefix="simon-chaos-logs-"))
    started = time.perf_counter()
    try:
        result = asyncio.run(
            run_chaos(
                url,
                logs,
                tenants=args.tenants,
                archives=args.archives,
                workers=args.workers,
                kill_every=args.kill_every,
                archive_rate=args.rate,
                settle_deadline=600.0,
                settle_seconds=args.settle,
            )
        )
    finally:
        if server is not None:
            server.cleanup()
    elapsed = time.perf_counter() - started
    print(f"logs in {logs}")
    # The share among the POSTs sent while the faults were on (the settling after the last
    # archive runs without them), and among all POSTs of the run.
    posts = result.sandbox_under_faults.get("invoice_posts") or 0
    late = result.sandbox_under_faults.get("late_commits") or 0
    all_posts = result.sandbox.get("invoice_posts") or 0
    print(
        f"RESULT duplicates={result.duplicates} missing={result.missing} "
        f"elapsed_s={elapsed:.1f} late_commit_share={late / posts if posts else 0:.1%} "
        f"(of {posts} POSTs under faults; {late / all_posts if all_posts else 0:.1%} of all "
        f"{all_posts}) {result.line()}"
    )


if __name__ == "__main__":
    main()
