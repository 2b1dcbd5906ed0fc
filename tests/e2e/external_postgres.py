"""A PostgreSQL of our own that a test can stop, start and restart, as an operator would.

Made from the `pgserver` wheel's binaries (initdb, pg_ctl, postgres: a real PostgreSQL 16)
in a temporary directory, listening on 127.0.0.1 at a free port (and a unix socket for
pg_ctl's own checks). pgserver does the set-up (as root it runs the server as its own
system user); stopping and starting goes through `pg_ctl` like on a real server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.processes import free_port


class ExternalPostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="simon-outage-"))
        runtime = self.root / "run"
        runtime.mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        self.directory = self.root / "pg"
        self.directory.mkdir()
        import pgserver
        from pgserver.postgres_server import get_server

        self._pgserver: Any = pgserver
        self.server: Any = get_server(str(self.directory), cleanup_mode=None)
        self.socket_dir = Path(self.server.get_postmaster_info().socket_dir)
        self.port = free_port()
        self.log = self.directory / "log"
        # pgserver started it on a socket only; from here on it also listens on TCP.
        self._pg_ctl(["-m", "fast", "-w", "stop"])
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, arguments: list[str]) -> None:
        self._pgserver.pg_ctl(
            arguments, pgdata=self.directory, user=self.server.system_user, timeout=60
        )

    def _options(self) -> list[str]:
        return [
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir}",
            "-l",
            str(self.log),
        ]

    def start(self) -> float:
        """Start and wait until it accepts connections; the monotonic time it did."""
        self._pg_ctl(["-w", *self._options(), "start"])
        return time.monotonic()

    def stop(self) -> float:
        """`pg_ctl stop -m fast` (sessions are ended, the server shuts down cleanly)."""
        self._pg_ctl(["-m", "fast", "-w", "stop"])
        return time.monotonic()

    def restart(self) -> tuple[float, float]:
        """`pg_ctl restart -m fast`: (when it began, when it accepts connections again)."""
        began = time.monotonic()
        self._pg_ctl(["-m", "fast", "-w", *self._options(), "restart"])
        return began, time.monotonic()

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._pg_ctl(["-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)
