"""The embedded PostgreSQL (the `pgserver` wheel) used when DATABASE_URL is unset.

A real PostgreSQL server, started from a pip wheel, reachable over a unix socket in the
data directory. A second caller with the same directory reuses the running server.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

DATABASE_NAME = "simon"


def start(data_dir: Path, *, stop_on_exit: bool = False) -> Any:
    """Start (or attach to) the server in `data_dir/pg`; make sure our database exists."""
    runtime = Path(data_dir).resolve() / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver  # imported late: it is only needed without DATABASE_URL

    pg_dir = (Path(data_dir) / "pg").resolve()
    pg_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(  # type: ignore[attr-defined]
        str(pg_dir), cleanup_mode="stop" if stop_on_exit else None
    )
    create_database(server, DATABASE_NAME)
    return server


def create_database(server: Any, name: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a plain database name: {name!r}")
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}';"  # noqa: S608 (checked)
    found = server.psql(query)
    if "(1 row)" not in found:
        server.psql(f"CREATE DATABASE {name};")


def url_for(server: Any, database: str = DATABASE_NAME) -> str:
    """A `postgresql://` URL for `database` on the embedded server's unix socket."""
    return f"postgresql://postgres@/{database}?host={server.pgdata}"


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """DATABASE_URL when set, else the embedded server's URL (started when needed)."""
    if database_url:
        return database_url
    return url_for(start(data_dir))


def stop(server: Any) -> None:
    """Stop the server unless another live process still uses it.

    pgserver counts its users in a pid list on disk; a process killed without its exit
    handlers (SIGKILL, a closed terminal) stays on that list and would keep the server
    running for ever, so dead pids are dropped first."""
    import psutil

    with server._lock:
        pids = server.global_process_id_list.get()
        server.global_process_id_list.put([pid for pid in pids if psutil.pid_exists(pid)])
    server.cleanup()
