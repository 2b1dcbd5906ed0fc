"""Two real sync_worker processes on one database race for one tenant's sync jobs: the work
is done once (the job's lock keeps one run of a tenant × entity at a time, the queueing
lock one waiting), with the Rompslomp sandbox as a real process in front."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import create_tenant
from shared.db import create_engine
from shared.migrate import upgrade
from shared.models import Customer, IntegrationLogEntry, SyncRun
from tests.support.database import admin_execute, in_thread, with_database
from tests.support.processes import free_port, start_service, stop

pytestmark = pytest.mark.e2e
P = "/api/v1/integration"
CONTACTS = 3000


@dataclass
class Stack:
    database_url: str
    sandbox: str
    workers: list[str]


@pytest.fixture(scope="module")
def stack(postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = f"simon_md_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)
    logs = tmp_path_factory.mktemp("masterdata-workers")
    ports = [free_port() for _ in range(3)]
    sandbox_url, *workers = (f"http://127.0.0.1:{port}" for port in ports)
    callback = f"{workers[0]}/api/v1/integration/oauth/callback"  # worker 1 takes callbacks
    env = {
        "DATABASE_URL": url,
        "ROMPSLOMP_API_URL": sandbox_url,
        "ROMPSLOMP_OAUTH_URL": sandbox_url,
        "ROMPSLOMP_REDIRECT_URI": callback,
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "UI_RETURN_URL": "",
    }
    sandbox, _ = start_service(
        "services.rompslomp_sandbox.app:create_app",
        {
            "SANDBOX_AUTO_APPROVE": "true",
            "SANDBOX_SEED_DEMO": "true",
            "SANDBOX_REDIRECT_URIS": callback,
        },
        port=ports[0],
        output=logs / "sandbox.log",
    )
    processes = [sandbox]
    try:
        for number, port in enumerate(ports[1:], start=1):
            worker, _ = start_service(
                "services.sync_worker.main:create_app",
                env,
                port=port,
                output=logs / f"worker{number}.log",
                log_level="info",
            )
            processes.append(worker)
        yield Stack(url, sandbox_url, workers)
    finally:
        for process in processes:
            stop(process)


async def _activate(stack: Stack, api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    tables = [t["table"] for t in (await api.get(P + "/wipe")).json()["tables"]]
    assert (await api.post(P + "/wipe", json={"tables": tables})).status_code == 200
    authorize_url = (await api.post(P + "/connect")).json()["authorize_url"]
    page = await browser.get(authorize_url)
    assert page.status_code == 200, page.text
    companies = (await api.get(P + "/administrations")).json()["items"]
    company = next(a for a in companies if a["api_accessible"])
    await browser.post(
        f"{stack.sandbox}/_sandbox/companies/{company['id']}/seed", json={"contacts": CONTACTS}
    )
    await browser.put(f"{stack.sandbox}/_sandbox/faults", json={"latency_ms": 50})
    saved = await api.put(
        P + "/settings", json={"administration_id": company["id"], "accept_terms": True}
    )
    assert saved.status_code == 202, saved.text


async def _customers_in_rompslomp(stack: Stack, browser: httpx.AsyncClient) -> int:
    """X-Total of the customers (contacts that are not suppliers) in the administration."""
    token = (await browser.post(f"{stack.sandbox}/_sandbox/tokens", json={})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    companies = (await browser.get(f"{stack.sandbox}/api/v1/companies", headers=headers)).json()
    company = next(c for c in companies["companies"] if c["access_control"]["api_accessible"])
    answer = await browser.get(
        f"{stack.sandbox}/api/v1/companies/{company['id']}/contacts",
        params={"selection": "customers", "per_page": 1},
        headers=headers,
    )
    return int(answer.headers["X-Total"])


async def _until_idle(api: httpx.AsyncClient, deadline: float) -> list[dict[str, Any]]:
    while time.monotonic() < deadline:
        runs: list[dict[str, Any]] = (await api.get(P + "/sync-runs")).json()["items"]
        if runs and all(r["status"] in ("finished", "failed", "cancelled") for r in runs):
            return runs
        await asyncio.sleep(0.2)
    raise AssertionError(f"the runs did not end: {runs}")


async def test_two_workers_racing_on_one_tenant_do_the_work_once(stack: Stack) -> None:
    engine: AsyncEngine = create_engine(stack.database_url, pool_size=2)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            tenant, _, api_key = await create_tenant(session, "Twee Werkers BV")
            await session.commit()
        headers = {"Authorization": f"Bearer {api_key}"}
        first = httpx.AsyncClient(base_url=stack.workers[0], headers=headers, timeout=30)
        second = httpx.AsyncClient(base_url=stack.workers[1], headers=headers, timeout=30)
        browser = httpx.AsyncClient(follow_redirects=True, timeout=30)
        async with first, second, browser:
            await _activate(stack, first, browser)
            # While the first import runs, people click "Nu synchroniseren" on both replicas.
            clicks = [
                api.post(P + "/sync", json={"customers": True, "articles": True})
                for api in (first, second, first, second)
            ]
            assert {r.status_code for r in await asyncio.gather(*clicks)} == {202}
            runs = await _until_idle(second, time.monotonic() + 120)
            listed = await _customers_in_rompslomp(stack, browser)

        async with AsyncSession(engine) as session:
            customers = await session.scalar(
                select(func.count()).select_from(Customer).where(Customer.tenant_id == tenant.id)
            )
            stored = list(
                await session.scalars(
                    select(SyncRun).where(SyncRun.tenant_id == tenant.id).order_by(SyncRun.id)
                )
            )
            summaries = await session.scalar(
                select(func.count())
                .select_from(IntegrationLogEntry)
                .where(
                    IntegrationLogEntry.tenant_id == tenant.id,
                    IntegrationLogEntry.message.like("Klanten bijgewerkt vanuit Rompslomp:%"),
                )
            )
    finally:
        await engine.dispose()

    assert 25 + CONTACTS > listed == customers  # suppliers are not customers
    customer_runs = [r for r in stored if r.entity == "customers" and r.status == "finished"]
    assert {r.status for r in stored} <= {"finished", "cancelled"}
    # The initial run plus at most one run folded from all four clicks.
    assert 1 <= len(customer_runs) <= 2
    assert sum(r.added for r in customer_runs) == listed
    assert all(r.attempts == 1 for r in customer_runs)
    if len(customer_runs) == 2:
        earlier, later = customer_runs
        assert later.changed == later.added == 0
        assert earlier.finished_at is not None
        assert later.started_at is not None
        assert later.started_at >= earlier.finished_at  # never side by side
    assert summaries == len(customer_runs)
    assert len(runs) == len(stored)
