"""Real processes on 127.0.0.1: each service started with uvicorn as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(
    factory: str,
    env: dict[str, str],
    *,
    port: int | None = None,
    output: Path | None = None,
    log_level: str = "warning",
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `factory` under uvicorn on 127.0.0.1 and wait until /health answers.
    `output`: a file that collects the process's stdout and stderr."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        log_level,
    ]
    environment = {**os.environ, **env}
    if output is None:
        process = subprocess.Popen(command, cwd=ROOT, env=environment)
    else:
        with output.open("ab") as sink:
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT
            )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = output.read_text() if output else ""
            raise RuntimeError(f"{factory} exited with {process.returncode}: {detail}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{factory} did not become healthy")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def simon_api_url(database_url: str) -> Iterator[str]:
    process, base = start_service(
        "services.simon_api.main:create_app", {"DATABASE_URL": database_url}
    )
    yield base
    stop(process)


@pytest.fixture(scope="session")
def sync_worker_url(database_url: str) -> Iterator[str]:
    """An API-only replica (RUN_JOBS=false): it lives for the whole session and must not
    take jobs that other tests' workers (with their own token keys) deferred."""
    process, base = start_service(
        "services.sync_worker.main:create_app",
        {"DATABASE_URL": database_url, "RUN_JOBS": "false"},
    )
    yield base
    stop(process)
