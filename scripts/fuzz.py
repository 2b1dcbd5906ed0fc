"""`make fuzz`: schemathesis (`--checks all`) over both services' OpenAPI documents.

A throw-away stack (embedded PostgreSQL in a temporary DATA_DIR, migrations, the sandbox,
simon_api, sync_worker on free ports, a fresh tenant) is started, each service is fuzzed
with the tenant's office key within a time budget, and the stack is removed again. The
exit code is schemathesis's: 0 only when neither service had a failure.

    python scripts/fuzz.py [--max-time 75] [--seed 1] [--service simon_api|sync_worker]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from stack import data_directory, say, start_stack  # noqa: E402

SERVICES = ("simon_api", "sync_worker")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def schemathesis(
    name: str, url: str, key: str, *, max_time: int, seed: int, report_dir: Path
) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--max-time",
        str(max_time),
        "--seed",
        str(seed),
        # One worker: two would share the tenant, and one's DELETE of a customer (which
        # takes its contact persons along) makes the other's fresh record "disappear".
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {key}",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir / name),
    ]
    say(f"\n== fuzzing {name} ({url}) for at most {max_time} s ==")
    started = time.monotonic()
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks"}
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
    say(f"== {name}: exit {code} after {time.monotonic() - started:.0f} s ==")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=75, help="seconds per service")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--service", choices=SERVICES, action="append")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="simon-fuzz-"))
    os.environ["DATA_DIR"] = str(scratch)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("ROMPSLOMP_API_URL", None)
    for variable in ("SIMON_API_PORT", "SYNC_WORKER_PORT", "SANDBOX_PORT"):
        os.environ[variable] = str(free_port())
    stack = start_stack(data_directory(), log_level=os.environ.get("FUZZ_LOG_LEVEL", "warning"))
    codes = []
    try:
        for name in args.service or SERVICES:
            url = stack.api_url if name == "simon_api" else stack.worker_url
            codes.append(
                schemathesis(
                    name,
                    url,
                    stack.tenant["api_key"],
                    max_time=args.max_time,
                    seed=args.seed,
                    report_dir=ROOT / ".fuzz",
                )
            )
    finally:
        stack.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    failed = [n for n, c in zip(args.service or SERVICES, codes, strict=True) if c != 0]
    say("fuzz: " + ("0 failures" if not failed else "failures in " + ", ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
