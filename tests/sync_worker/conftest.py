"""The sync worker in process over ASGI, on the rolled-back test session, talking to an
in-process Rompslomp sandbox (auto-approving, seeded with the demo administrations): the
fixtures of every sync_worker test package that talks to the worker's API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from services.rompslomp_sandbox.app import create_app as create_sandbox
from services.rompslomp_sandbox.settings import SandboxSettings
from services.sync_worker.deps import (
    Rompslomp,
    SessionFactory,
    get_rompslomp,
    get_session,
    get_sessions,
)
from services.sync_worker.integration.state import mark_needs_reconnect
from services.sync_worker.main import create_app
from services.sync_worker.rompslomp import BudgetRegistry, RetryPolicy
from services.sync_worker.settings import SyncWorkerSettings
from tests.support.tenants import TenantKey
from tests.sync_worker.support import CALLBACK, SANDBOX, Wizard


@pytest.fixture
def token_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def worker_settings(token_key: str) -> SyncWorkerSettings:
    return SyncWorkerSettings(
        database_url="postgresql://unused/unused",
        rompslomp_api_url=SANDBOX,
        rompslomp_redirect_uri=CALLBACK,
        token_encryption_key=SecretStr(token_key),
        ui_return_url="",  # the callback's own page; the console's return has its own test
    )


@pytest.fixture
def sandbox_app() -> FastAPI:
    return create_sandbox(
        SandboxSettings(redirect_uris=CALLBACK, auto_approve=True, seed_demo=True)
    )


@pytest.fixture
async def sandbox(sandbox_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX) as client:
        yield client


@pytest.fixture
def sessions(session: AsyncSession) -> SessionFactory:
    """The app's short transactions, on the test's rolled-back session."""

    @asynccontextmanager
    async def unit_of_work() -> AsyncIterator[AsyncSession]:
        yield session

    return unit_of_work


@pytest.fixture
def rompslomp(sandbox: httpx.AsyncClient, worker_settings: SyncWorkerSettings) -> Rompslomp:
    return Rompslomp(
        http=sandbox,
        budgets=BudgetRegistry(),
        settings=worker_settings,
        on_revoked=mark_needs_reconnect,
        retry=RetryPolicy(attempts=1),
    )


@pytest.fixture
def worker_app(
    session: AsyncSession,
    sessions: SessionFactory,
    rompslomp: Rompslomp,
    worker_settings: SyncWorkerSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> FastAPI:
    # structlog caches a logger's processor list at first use; reconfiguring here would
    # leave the client's loggers on a list that later tests' capture_logs() cannot reach.
    monkeypatch.setattr("services.sync_worker.main.configure_logging", lambda *a, **k: None)
    app = create_app(worker_settings)

    async def same_session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = same_session
    app.dependency_overrides[get_sessions] = lambda: sessions
    app.dependency_overrides[get_rompslomp] = lambda: rompslomp
    return app


@pytest.fixture
async def client(worker_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=worker_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker.test") as client:
        yield client


@pytest.fixture
def wizard(client: httpx.AsyncClient, sandbox: httpx.AsyncClient, office: TenantKey) -> Wizard:
    return Wizard(client, sandbox, office)
