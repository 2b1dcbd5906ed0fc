"""Test fixtures on a real PostgreSQL.

The database: TEST_DATABASE_URL when set, else a throw-away embedded server (pgserver) in a
temporary directory. Migrated once per session; every test runs inside a transaction that
is rolled back (commits inside the app become savepoint releases).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import create_tenant, issue_api_key
from shared.db import create_engine
from shared.enums import Role
from shared.migrate import upgrade
from shared.models import Employee
from tests.console.browser import report_line
from tests.support.database import admin_execute, in_thread, with_database
from tests.support.tenants import TenantKey


def pytest_report_header() -> str:
    """Says plainly whether the console's browser tests run or are skipped."""
    return report_line()


def _embedded_server() -> tuple[Any, str]:
    runtime = Path(tempfile.mkdtemp(prefix="simon-run-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    from pgserver.postgres_server import get_server

    directory = Path(tempfile.mkdtemp(prefix="simon-pg-"))
    server = get_server(str(directory), cleanup_mode="delete")
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


@pytest.fixture
def make_field_key(session: AsyncSession) -> Callable[[TenantKey], Awaitable[TenantKey]]:
    """A field employee of `office`'s tenant and their key, committed."""

    async def make(office: TenantKey) -> TenantKey:
        employee = Employee(
            tenant_id=office.tenant_id,
            name="Piet Monteur",
            email=f"piet{office.tenant_id}@example.nl",
            role=Role.FIELD,
        )
        session.add(employee)
        await session.flush()
        key = await issue_api_key(session, employee)
        await session.commit()
        return TenantKey(office.tenant_id, employee.id, key)

    return make


@pytest.fixture
async def field(
    office: TenantKey, make_field_key: Callable[[TenantKey], Awaitable[TenantKey]]
) -> TenantKey:
    return await make_field_key(office)
