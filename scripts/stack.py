"""`make run`: the whole stack on the embedded defaults, in one foreground process.

Embedded PostgreSQL in `.data/` (unless DATABASE_URL is set) → migrations → a demo tenant
(once; its key is kept in `.data/demo_tenant.json`) → the Rompslomp sandbox (unless
ROMPSLOMP_API_URL is set), simon_api and sync_worker as child processes → URLs and key.
Ctrl-C stops the children and then the database; a second run reuses the data.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared import embedded_postgres  # noqa: E402
from shared.auth import authenticate, create_tenant  # noqa: E402
from shared.db import create_engine, create_sessionmaker  # noqa: E402
from shared.migrate import upgrade  # noqa: E402
from shared.reader import SessionReader  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402

DEMO_TENANT = "Demo Installatiebedrijf De Vries"


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


async def demo_tenant(database_url: str, known: dict[str, Any] | None) -> dict[str, Any]:
    """The demo tenant's id and key: the known one while its key works, else a new one."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            if known and await authenticate(SessionReader(session), known["api_key"]) is not None:
                return known
            tenant, _, key = await create_tenant(session, DEMO_TENANT)
            await session.commit()
            return {"tenant_id": tenant.id, "api_key": key}
    finally:
        await engine.dispose()


def ensure_demo_tenant(database_url: str, key_file: Path) -> dict[str, Any]:
    known = json.loads(key_file.read_text()) if key_file.exists() else None
    tenant = asyncio.run(demo_tenant(database_url, known))
    if tenant != known:
        key_file.write_text(json.dumps(tenant))
        key_file.chmod(0o600)
    return tenant


def dev_token_key(path: Path) -> str:
    """A Fernet key for Rompslomp tokens at rest, generated once for dev."""
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def wait_healthy(name: str, url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode}; see its output above")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not answer {url}/health within {timeout:.0f} s")


def uvicorn(
    app: str, port: int, env: dict[str, str], *, log_level: str = "warning"
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        log_level,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603


@dataclass
class Stack:
    """A started stack: where its parts answer, the demo tenant, and how to stop it."""

    database_url: str
    tenant: dict[str, Any]
    api_url: str
    worker_url: str
    sandbox_url: str | None
    console_url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    server: Any = None
    stopped: bool = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.server is not None:
            embedded_postgres.stop(self.server)


def console_url(redirect_uri: str) -> str:
    """The office console on the OAuth callback's host: its login (sessionStorage, per
    origin) survives the round trip to Rompslomp only there."""
    parts = urllib.parse.urlsplit(redirect_uri)
    return f"{parts.scheme}://{parts.netloc}/console/"


def data_directory() -> Path:
    settings = ServiceSettings()
    data_dir = settings.data_dir if settings.data_dir.is_absolute() else ROOT / settings.data_dir
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = data_dir / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    return data_dir


def start_stack(data_dir: Path, *, log_level: str = "warning") -> Stack:
    """Database, migrations, demo tenant, then each service until it answers /health.
    On any failure what was started is stopped again."""
    settings = ServiceSettings()
    server = None
    database_url = settings.database_url
    if not database_url:
        say(f"Starting the embedded PostgreSQL in {data_dir / 'pg'} …")
        server = embedded_postgres.start(data_dir, stop_on_exit=True)
        database_url = embedded_postgres.url_for(server)
    say("Applying migrations …")
    upgrade(database_url)
    tenant = ensure_demo_tenant(database_url, data_dir / "demo_tenant.json")

    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir)}
    env.setdefault("TOKEN_ENCRYPTION_KEY", dev_token_key(data_dir / "token_encryption.key"))
    api_port = int(os.environ.get("SIMON_API_PORT", "8000"))
    worker_port = int(os.environ.get("SYNC_WORKER_PORT", "8100"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8300"))
    callback = f"http://127.0.0.1:{worker_port}/api/v1/integration/oauth/callback"
    env.setdefault("ROMPSLOMP_REDIRECT_URI", callback)
    services: list[tuple[str, str, int]] = []
    sandbox_url = None
    if (
        not os.environ.get("ROMPSLOMP_API_URL")
        and (ROOT / "services/rompslomp_sandbox/app.py").exists()
    ):
        env.setdefault("SANDBOX_AUTO_APPROVE", "true")
        env.setdefault("SANDBOX_SEED_DEMO", "true")
        env.setdefault("SANDBOX_REDIRECT_URIS", env["ROMPSLOMP_REDIRECT_URI"])
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        env["ROMPSLOMP_API_URL"] = sandbox_url
        services.append(
            ("Rompslomp sandbox", "services.rompslomp_sandbox.app:create_app", sandbox_port)
        )
    services += [
        ("simon_api", "services.simon_api.main:create_app", api_port),
        ("sync_worker", "services.sync_worker.main:create_app", worker_port),
    ]
    stack = Stack(
        database_url=database_url,
        tenant=tenant,
        api_url=f"http://127.0.0.1:{api_port}",
        worker_url=f"http://127.0.0.1:{worker_port}",
        sandbox_url=sandbox_url,
        console_url=console_url(env["ROMPSLOMP_REDIRECT_URI"]),
        server=server,
    )
    try:
        for name, app, port in services:
            process = uvicorn(app, port, env, log_level=log_level)
            stack.processes.append(process)
            wait_healthy(name, f"http://127.0.0.1:{port}", process, timeout=45)
    except BaseException:
        stack.stop()
        raise
    return stack


def main() -> int:
    data_dir = data_directory()
    interrupted = False

    def interrupt(*_: object) -> None:
        # Ctrl-C reaches the children too (one process group): note it, so that their
        # exit is not mistaken for a crash, and stop everything in order below.
        nonlocal interrupted
        interrupted = True

    def abort(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, abort)  # while starting: stop at once, clean up below
    try:
        stack = start_stack(data_dir)
    except KeyboardInterrupt:
        return 0
    tenant = stack.tenant
    try:
        say("")
        say("Simon ↔ Rompslomp is running.")
        say(f"  simon_api    {stack.api_url}   docs: {stack.api_url}/docs")
        say(f"  sync_worker  {stack.worker_url}   docs: {stack.worker_url}/docs")
        say(f"  console      {stack.console_url}   (log in with the API key below)")
        if stack.sandbox_url:
            say(f"  sandbox      {stack.sandbox_url}   docs: {stack.sandbox_url}/docs")
        say(f"  database     {stack.database_url}")
        say(f"  demo tenant  {tenant['tenant_id']}")
        say(f"  API key      {tenant['api_key']}")
        say(
            f"  try: curl -H 'Authorization: Bearer {tenant['api_key']}' "
            f"{stack.api_url}/api/v1/work-orders"
        )
        say("Press Ctrl-C to stop.")
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
        while not interrupted:
            for process in stack.processes:
                if process.poll() is not None and not interrupted:
                    say(f"A service exited with code {process.returncode}.")
                    return 1
            time.sleep(0.2)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        say("\nStopping …")
        stack.stop()
        say("Stopped.")


if __name__ == "__main__":
    raise SystemExit(main())
