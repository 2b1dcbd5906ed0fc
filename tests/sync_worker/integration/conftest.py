"""The sync worker in process over ASGI, on the rolled-back test session, talking to an
in-process Rompslomp sandbox (auto-approving, seeded with the demo administrations)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from shared.auth import issue_api_key
from shared.models import Employee
from tests.conftest import TenantKey

SANDBOX = "http://rompslomp.test"
CALLBACK = "http://worker.test/api/v1/integration/oauth/callback"
ACCEPT_JSON = {"Accept": "application/json"}


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
async def field(session: AsyncSession, office: TenantKey) -> TenantKey:
    employee = Employee(
        tenant_id=office.tenant_id,
        name="Piet Monteur",
        email=f"piet{office.tenant_id}@example.nl",
        role="field",
    )
    session.add(employee)
    await session.flush()
    key = await issue_api_key(session, employee)
    await session.commit()
    return TenantKey(office.tenant_id, employee.id, key)


@dataclass
class Wizard:
    """Walks the activation wizard for one tenant, asserting each step's status."""

    client: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    who: TenantKey

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(
            method, f"/api/v1/integration{path}", json=body, headers=self.who.headers
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def wipe_all(self) -> Any:
        preview = await self.call("GET", "/wipe")
        return await self.call("POST", "/wipe", {"tables": [t["table"] for t in preview["tables"]]})

    async def authorize(self) -> httpx.URL:
        """POST /connect, then do what the browser does at Rompslomp; returns the callback
        URL Rompslomp redirects to (not yet visited)."""
        url = (await self.call("POST", "/connect"))["authorize_url"]
        answer = await self.sandbox.get(url)
        assert answer.status_code in (302, 303), answer.text
        return httpx.URL(answer.headers["location"])

    async def callback(self, url: httpx.URL, **headers: str) -> httpx.Response:
        return await self.client.get(url.raw_path.decode(), headers=headers)

    async def connect(self) -> None:
        response = await self.callback(await self.authorize())
        assert response.status_code == 200, response.text

    async def administration(self) -> dict[str, Any]:
        items = (await self.call("GET", "/administrations"))["items"]
        return next(a for a in items if a["api_accessible"])

    async def product_codes(self, company_id: int) -> list[str]:
        listing = await self.sandbox.get(f"/_sandbox/companies/{company_id}/products")
        if listing.status_code == 200 and "products" in listing.json():
            return [p["invoice_line"]["product_code"] for p in listing.json()["products"]]
        return [f"P{n}" for n in range(1, 16)]

    async def activate(self) -> dict[str, Any]:
        await self.wipe_all()
        await self.connect()
        company = await self.administration()
        body = {
            "administration_id": company["id"],
            "work_time_product": "P1",
            "travel_time_product": "P2",
            "description_as_first_line": True,
            "filter_word": "garantie",
            "accept_terms": True,
        }
        saved: dict[str, Any] = await self.call("PUT", "/settings", body, status=202)
        return saved


@pytest.fixture
def wizard(client: httpx.AsyncClient, sandbox: httpx.AsyncClient, office: TenantKey) -> Wizard:
    return Wizard(client, sandbox, office)


def query_of(url: httpx.URL) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(url)).query).items()}
