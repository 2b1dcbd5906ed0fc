"""Rompslomp's limits during a sync: 429 Retry-After is honoured (DESIGN D4), a long one
sends the run back to the queue instead of failing it, and an access token that expires
in the middle of an import is refreshed without losing the run (DESIGN D5)."""

from __future__ import annotations

import math
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from services.sync_worker.deps import Rompslomp
from services.sync_worker.integration.state import mark_needs_reconnect
from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.rompslomp import BudgetRegistry, RetryPolicy
from services.sync_worker.rompslomp.connection import load_tokens
from shared.clock import utcnow
from shared.models import Customer
from tests.sync_worker.masterdata.support import Tenant

# As in production (jobs.runtime.BACKGROUND_RETRY) but with short backoffs.
PATIENT = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.2, max_retry_after=5.0)


def _patient(tenant: Tenant, http: httpx.AsyncClient) -> Runtime:
    settings = tenant.runtime.settings
    rompslomp = Rompslomp(
        http=http,
        budgets=BudgetRegistry(),
        settings=settings,
        on_revoked=mark_needs_reconnect,
        retry=PATIENT,
    )
    return Runtime(tenant.runtime.sessions, rompslomp, settings)


async def _stats(tenant: Tenant) -> dict[str, int]:
    stats: dict[str, int] = (await tenant.wizard.sandbox.get("/_sandbox/stats")).json()["by_status"]
    return stats


async def test_retry_after_is_honoured_and_the_import_completes(tenant: Tenant) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": 300, "seed": 3})
    customers = len(await tenant.customers_in_rompslomp())
    tenant.runtime = _patient(tenant, tenant.wizard.sandbox)
    await tenant.wizard.sandbox.post("/_sandbox/stats/reset")
    # Two requests a second: the import must wait out each Retry-After to get through
    # (six quick retries without waiting would all be refused).
    await tenant.faults(rate_limit={"requests": 2, "per_seconds": 1})

    runs = await tenant.work()

    assert {(r.entity, r.status, r.attempts) for r in runs} == {
        ("customers", "finished", 1),
        ("articles", "finished", 1),
    }
    assert await tenant.count(Customer) == customers
    stats = await _stats(tenant)
    assert stats.get("429", 0) >= 1
    assert stats["200"] >= math.ceil(customers / 100) + 1  # pages of contacts, 1 of products


async def test_a_long_retry_after_puts_the_run_back_in_the_queue(tenant: Tenant) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": 300, "seed": 3})
    tenant.runtime = _patient(tenant, tenant.wizard.sandbox)
    await tenant.faults(rate_limit={"requests": 1, "per_seconds": 600})

    runs = await tenant.work()

    assert {(r.entity, r.status) for r in runs} == {("customers", "queued"), ("articles", "queued")}
    waiting = await tenant.waiting_jobs(due_only=False)
    assert len(waiting) == 2
    assert all(j.scheduled_at >= utcnow() + timedelta(seconds=500) for j in waiting)
    assert await tenant.waiting_jobs() == []  # nothing runs before Rompslomp allows it
    lines = await tenant.log_lines("customer")
    assert lines[-1].level == "warning"
    assert "Rompslomp vraagt Simon even te wachten" in lines[-1].message
    status = await tenant.call("GET", "")
    assert {r["status"] for r in status["sync"]} == {"queued"}


class ExpiringMidway(httpx.AsyncBaseTransport):
    """Forwards to the sandbox; just before the second page of contacts, Rompslomp expires
    every access token (as its control plane allows)."""

    def __init__(self, sandbox_app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=sandbox_app)
        self.expired = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (
            not self.expired
            and request.url.path.endswith("/contacts")
            and request.url.params.get("page") == "2"
        ):
            self.expired = True
            expire = httpx.Request("POST", "http://rompslomp.test/_sandbox/tokens/expire", json={})
            response = await self.inner.handle_async_request(expire)
            assert response.status_code == 204
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("contacts", [300])
async def test_an_access_token_expiring_mid_import_is_refreshed(
    tenant: Tenant, sandbox_app: FastAPI, contacts: int
) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": contacts, "seed": 5})
    customers = len(await tenant.customers_in_rompslomp())
    cipher = tenant.runtime.rompslomp.cipher()
    before = await load_tokens(tenant.session, tenant.id, cipher)
    transport = ExpiringMidway(sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rompslomp.test") as http:
        tenant.runtime = _patient(tenant, http)
        runs = await tenant.work()

    assert transport.expired
    assert {(r.entity, r.status) for r in runs} == {
        ("customers", "finished"),
        ("articles", "finished"),
    }
    assert await tenant.count(Customer) == customers
    after = await load_tokens(tenant.session, tenant.id, cipher)
    assert before is not None
    assert after is not None
    assert after.refresh_token != before.refresh_token  # rotated and stored
    assert all(e.level == "info" for e in await tenant.log_lines())


async def test_a_revoked_connection_fails_the_run_and_asks_to_reconnect(tenant: Tenant) -> None:
    await tenant.wizard.sandbox.post("/_sandbox/tokens/expire", json={})
    await tenant.wizard.sandbox.post("/_sandbox/tokens/revoke", json={})

    runs = await tenant.work()

    assert {r.status for r in runs} == {"failed"}
    assert await tenant.count(Customer) == 0
    status = await tenant.call("GET", "")
    assert status["state"] == "needs_reconnect"
    errors = [e for e in await tenant.log_lines() if e.level == "error"]
    assert len(errors) == 1  # one line for the problem, not one per run
    assert "Koppel opnieuw" in errors[0].action
