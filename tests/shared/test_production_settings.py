"""ENVIRONMENT=production refuses the dev defaults for secrets, with a plain message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.simon_api.main import create_app as create_simon_api
from services.simon_api.settings import SimonApiSettings
from services.sync_worker.main import create_app as create_sync_worker
from services.sync_worker.settings import SyncWorkerSettings

ROOT = Path(__file__).resolve().parents[2]
UNUSED_DB = "postgresql://unused/unused"


def test_production_without_a_token_key_or_with_the_dev_secret_refuses_to_start() -> None:
    settings = SyncWorkerSettings(database_url=UNUSED_DB, environment="production")
    with pytest.raises(SystemExit) as refused:
        create_sync_worker(settings)
    message = str(refused.value)
    assert "TOKEN_ENCRYPTION_KEY is not set" in message
    assert "ROMPSLOMP_CLIENT_SECRET is the sandbox's dev secret" in message


def test_production_with_real_secrets_starts() -> None:
    settings = SyncWorkerSettings(
        database_url=UNUSED_DB,
        environment="production",
        token_encryption_key=SecretStr(Fernet.generate_key().decode()),
        rompslomp_client_secret=SecretStr("a-registered-secret"),
    )
    assert create_sync_worker(settings).title == "Simon sync worker"


def test_development_keeps_the_dev_defaults() -> None:
    assert create_sync_worker(SyncWorkerSettings(database_url=UNUSED_DB)) is not None
    assert create_simon_api(SimonApiSettings(database_url=UNUSED_DB)) is not None


def test_the_process_exits_with_the_message() -> None:
    """As an operator sees it: uvicorn exits 1 and prints why, without a traceback."""
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": UNUSED_DB,
        "TOKEN_ENCRYPTION_KEY": "",
    }
    env.pop("TOKEN_ENCRYPTION_KEY")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.sync_worker.main:create_app",
            "--port",
            "0",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "sync_worker refuses to start with ENVIRONMENT=production" in result.stderr
    assert "Traceback" not in result.stderr
