"""Services as real processes on 127.0.0.1: each started with uvicorn as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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
