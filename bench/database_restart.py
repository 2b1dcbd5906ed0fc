"""Issue 15's table: the stack on an external PostgreSQL 16 (made from the pgserver wheel's
binaries, on 127.0.0.1), work orders archived at a steady rate by a client that retries
like a phone app, PostgreSQL restarted (`pg_ctl restart -m fast`) some seconds in, then in
a second run stopped for a while and started again. The same run as
tests/e2e/test_database_outage.py (which asserts; this prints).

Prints one Markdown table, one column per case: PostgreSQL down time, archives, failed
archive calls by kind, /ready 503s and the time to /ready 200, the first invoice and all
invoices after PostgreSQL is back, missing and duplicate invoices, and the log volume.

    .venv/bin/python bench/database_restart.py [--archives 200] [--rate 5] [--at 15] [--down 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--archives", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="archives per second")
    parser.add_argument("--at", type=float, default=15.0, help="seconds in when PG goes")
    parser.add_argument("--down", type=float, default=30.0, help="seconds down in case 2")
    args = parser.parse_args()

    from tests.e2e.database_outage import run_case, table
    from tests.e2e.external_postgres import ExternalPostgres

    postgres = ExternalPostgres()
    logs = Path(tempfile.mkdtemp(prefix="simon-outage-logs-"))
    try:
        results = [
            asyncio.run(
                run_case(
                    postgres,
                    logs,
                    case=case,
                    down_for=down_for,
                    archives=args.archives,
                    rate=args.rate,
                    outage_at=args.at,
                )
            )
            for case, down_for in (
                ("restart", None),
                (f"down {args.down:g} s", args.down),
            )
        ]
    finally:
        postgres.close()
    print(
        f"{args.archives} archives at {args.rate:g}/s, PostgreSQL going {args.at:g} s in "
        f"(logs in {logs})"
    )
    print(table(results))


if __name__ == "__main__":
    main()
