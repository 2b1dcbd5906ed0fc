"""The Rompslomp sandbox as a real process for the benchmarks: a free port, the start
(uvicorn, no access log) and the wait until `/health` answers."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "services.rompslomp_sandbox.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


async def wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 15) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1.0) as http:
        for _ in range(int(seconds / 0.05)):
            if process.poll() is not None:
                raise SystemExit(f"sandbox exited with {process.returncode}")
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("sandbox did not become healthy")
