"""Test fixtures on a real PostgreSQL.

The database: TEST_DATABASE_URL when set, else a throw-away embedded server (pgserver) in a
temporary directory. Migrated once per session; every test runs inside a transaction that
is rolled back (commits inside the app become savepoint releases).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import create_tenant
from shared.db import create_engine
from shared.migrate import upgrade
from tests.console.browser import report_line


def pytest_report_header() -> str:
    """Says plainly whether the console's browser tests run or are skipped."""
    return report_line()


def _embedded_server() -> tuple[Any, str]:
    runtime = Path(tempfile.mkdtemp(prefix="simon-run-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    directory = Path(tempfile.mkdtemp(prefix="simon-pg-"))
    server = pgserver.get_server(str(directory), cleanup_mode="delete")
    return server, str(directory)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A `postgresql://` URL to the server's maintenance database `postgres`."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    server, directory = _embedded_server()
    yield f"postgresql://postgres@/postgres?host={directory}"
    server.cleanup()


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> str:
    """A fresh database for this test session, migrated to head."""
    name = f"simon_test_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)
    return url


def in_thread(function: Any, *args: Any) -> Any:
    """Run blocking set-up (which may call asyncio.run) away from the test event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin_execute(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    parsed = make_url(url)

    async def go() -> None:
        connection = await asyncpg.connect(
            user=parsed.username or "postgres",
            password=parsed.password,
            host=parsed.query.get("host") or parsed.host,
            port=parsed.port,
            database=parsed.database or "postgres",
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(go())


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is undone at the end of the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@dataclass
class TenantKey:
    tenant_id: int
    employee_id: int
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@pytest.fixture
def make_tenant(session: AsyncSession) -> Callable[..., Awaitable[TenantKey]]:
    """A tenant with its first office employee and key, committed (a savepoint release)."""

    async def make(name: str = "Installatiebedrijf De Vries") -> TenantKey:
        tenant, employee, key = await create_tenant(session, name)
        await session.commit()
        return TenantKey(tenant.id, employee.id, key)

    return make


@pytest.fixture
async def office(make_tenant: Callable[..., Awaitable[TenantKey]]) -> TenantKey:
    return await make_tenant("Tenant A")
