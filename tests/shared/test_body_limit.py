"""A body over 1 MiB answers 413 before authentication or parsing, in both services."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from services.simon_api.main import create_app as create_simon_api
from services.simon_api.settings import SimonApiSettings
from services.sync_worker.main import create_app as create_sync_worker
from services.sync_worker.settings import SyncWorkerSettings
from shared.body_limit import MAX_BODY_BYTES

UNUSED_DB = "postgresql://unused/unused"
# Each service: how to make its app, and a path that takes a body.
APPS: dict[str, tuple[Callable[[], FastAPI], str]] = {
    "simon_api": (
        lambda: create_simon_api(SimonApiSettings(database_url=UNUSED_DB)),
        "/api/v1/customers",
    ),
    "sync_worker": (
        lambda: create_sync_worker(SyncWorkerSettings(database_url=UNUSED_DB)),
        "/api/v1/integration/sync",
    ),
}


def client_for(name: str) -> httpx.AsyncClient:
    # No lifespan runs: a request that got past the limit would fail on the missing
    # database or key, never with 413.
    factory, _ = APPS[name]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=factory()), base_url="http://t")


@pytest.mark.parametrize("name", APPS)
async def test_a_declared_large_body_is_refused_before_authentication(name: str) -> None:
    path = APPS[name][1]
    async with client_for(name) as client:
        response = await client.post(
            path, content=b"x" * (MAX_BODY_BYTES + 1), headers={"content-type": "text/plain"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"


@pytest.mark.parametrize("name", APPS)
async def test_a_chunked_large_body_is_refused(name: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * (64 * 1024)

    async with client_for(name) as client:
        response = await client.post(APPS[name][1], content=chunks())
    assert response.status_code == 413
