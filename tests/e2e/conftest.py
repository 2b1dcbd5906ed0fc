"""Real processes on 127.0.0.1: each service started with uvicorn as a subprocess."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.processes import start_service, stop


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
