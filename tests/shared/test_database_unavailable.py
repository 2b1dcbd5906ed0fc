"""Both services while their database cannot be reached: 503 `database_unavailable` with
Retry-After, /ready 503 naming what is down, /health still 200, and no exception ever
leaves the app (httpx's ASGI transport re-raises one, as uvicorn would drop the
connection). Then pooled connections that the server closed are replaced unnoticed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from services.simon_api.main import create_app as create_simon_api
from services.simon_api.settings import SimonApiSettings
from services.sync_worker.main import create_app as create_sync_worker
from services.sync_worker.settings import SyncWorkerSettings
from shared.db import create_engine
from shared.problems import install_problem_handlers
from shared.reader import create_pool_reader
from tests.support.processes import free_port

NOWHERE = "postgresql://postgres@127.0.0.1:{port}/simon"


@pytest.fixture
def nowhere() -> str:
    """A URL where no server listens: every connection is refused at once."""
    return NOWHERE.format(port=free_port())


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)  # re-raises what escapes the app
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def simon_api(nowhere: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(create_simon_api(SimonApiSettings(database_url=nowhere))):
        yield client


@pytest.fixture
async def sync_worker(nowhere: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = SyncWorkerSettings(database_url=nowhere, run_jobs=False)
    async for client in _client(create_sync_worker(settings)):
        yield client


def _is_database_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["code"] == "database_unavailable"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/work-orders"),
        ("POST", "/api/v1/work-orders"),
        ("POST", "/api/v1/work-orders/1/archive"),
        ("GET", "/api/v1/customers"),
    ],
)
async def test_simon_api_answers_503_while_the_database_is_away(
    simon_api: httpx.AsyncClient, method: str, path: str
) -> None:
    answer = await simon_api.request(
        method, path, json={"description": "x"}, headers={"Authorization": "Bearer sim_x"}
    )
    _is_database_unavailable(answer)


async def test_sync_worker_answers_503_while_the_database_is_away(
    sync_worker: httpx.AsyncClient,
) -> None:
    answer = await sync_worker.get("/api/v1/integration", headers={"Authorization": "Bearer sim_x"})
    _is_database_unavailable(answer)


async def test_ready_names_the_database_and_health_stays_ok(
    simon_api: httpx.AsyncClient, sync_worker: httpx.AsyncClient
) -> None:
    for client in (simon_api, sync_worker):
        assert (await client.get("/health")).status_code == 200
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["code"] == "not_ready"
        assert ready.json()["down"] == ["database"]


async def test_sync_worker_metrics_still_answer_without_the_database(
    sync_worker: httpx.AsyncClient,
) -> None:
    answer = await sync_worker.get("/metrics")
    assert answer.status_code == 200
    assert "jobs_worker_up 0.0" in answer.text


async def test_ready_names_a_job_engine_part_that_is_down(database_url: str) -> None:
    app = create_sync_worker(SyncWorkerSettings(database_url=database_url, run_jobs=False))
    async for client in _client(app):
        assert (await client.get("/ready")).status_code == 200
        app.state.ready_parts = lambda: ["job_worker"]
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["down"] == ["job_worker"]


async def test_a_bug_is_a_500_problem_and_stays_inside_the_app() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/bug")
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal_error"


async def _terminate(database_url: str, pid: int) -> None:
    engine = create_engine(database_url, pool_size=1)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await engine.dispose()


async def test_the_reader_replaces_a_connection_the_server_closed(database_url: str) -> None:
    reader = await create_pool_reader(database_url, size=1)
    try:
        first = await reader.fetchrow("SELECT pg_backend_pid()")
        assert first is not None
        await _terminate(database_url, first[0])
        again = await reader.fetchrow("SELECT pg_backend_pid()")
        assert again is not None
        assert again[0] != first[0]
    finally:
        await reader.close()


async def test_the_reader_retries_a_query_started_just_after_the_server_closed_it(
    database_url: str,
) -> None:
    """Terminated at once before the next query (no round trip of our own in between),
    asyncpg has often read the server's parting FATAL message but not the socket's end,
    and refuses the query with InternalClientError; the reader tries again."""
    url = make_url(database_url)
    admin = await asyncpg.connect(
        user=url.username, host=url.query.get("host") or url.host, database=url.database
    )
    try:
        for _ in range(10):  # one in three escapes the race: ten leave no doubt
            reader = await create_pool_reader(database_url, size=1)
            try:
                first = await reader.fetchrow("SELECT pg_backend_pid()")
                assert first is not None
                await admin.execute("SELECT pg_terminate_backend($1)", first[0])
                again = await reader.fetchrow("SELECT pg_backend_pid()")
                assert again is not None
                assert again[0] != first[0]
            finally:
                await reader.close()
    finally:
        await admin.close()


async def test_the_engine_replaces_a_connection_the_server_closed(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(text("SELECT pg_backend_pid()"))
        await _terminate(database_url, first)
        async with engine.connect() as connection:
            again = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert again != first
    finally:
        await engine.dispose()


async def test_a_statement_that_runs_too_long_is_cancelled(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, statement_timeout=0.2)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError, match="statement timeout"):
                await connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        await engine.dispose()
