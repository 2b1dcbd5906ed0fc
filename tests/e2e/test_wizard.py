"""The whole activation wizard over HTTP with real processes: the sync worker and the
Rompslomp sandbox on 127.0.0.1, the authorize redirect followed the way a browser does.
The worker's complete output (DEBUG) is captured: neither token may appear in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import create_tenant
from shared.models import RompslompConnection
from tests.support.processes import free_port, start_service, stop

pytestmark = pytest.mark.e2e
P = "/api/v1/integration"


@dataclass
class Stack:
    worker: str
    sandbox: str
    token_key: str
    worker_log: Path


@pytest.fixture(scope="module")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("wizard-logs")
    worker_port, sandbox_port = free_port(), free_port()
    worker = f"http://127.0.0.1:{worker_port}"
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    callback = f"{worker}/api/v1/integration/oauth/callback"
    key = Fernet.generate_key().decode()
    sandbox_process, _ = start_service(
        "services.rompslomp_sandbox.app:create_app",
        port=sandbox_port,
        output=logs / "sandbox.log",
        log_level="debug",
        env={
            "SANDBOX_AUTO_APPROVE": "true",
            "SANDBOX_SEED_DEMO": "true",
            "SANDBOX_REDIRECT_URIS": callback,
        },
    )
    try:
        worker_process, _ = start_service(
            "services.sync_worker.main:create_app",
            port=worker_port,
            output=logs / "worker.log",
            log_level="debug",
            env={
                "DATABASE_URL": database_url,
                "ROMPSLOMP_API_URL": sandbox,
                "ROMPSLOMP_OAUTH_URL": sandbox,
                "ROMPSLOMP_REDIRECT_URI": callback,
                "TOKEN_ENCRYPTION_KEY": key,
                "UI_RETURN_URL": "",
                "LOG_LEVEL": "DEBUG",
            },
        )
        try:
            yield Stack(worker, sandbox, key, logs / "worker.log")
        finally:
            stop(worker_process)
    finally:
        stop(sandbox_process)


async def stored_tokens(engine: AsyncEngine, tenant_id: int, key: str) -> tuple[str, str]:
    async with AsyncSession(engine) as session:
        row = await session.scalar(
            select(RompslompConnection).where(RompslompConnection.tenant_id == tenant_id)
        )
    assert row is not None
    cipher = Fernet(key.encode())
    access = cipher.decrypt(row.access_token_encrypted.encode()).decode()
    refresh = cipher.decrypt(row.refresh_token_encrypted.encode()).decode()
    # Unreadable at rest: the columns hold Fernet tokens, not the secrets.
    assert access not in row.access_token_encrypted
    assert refresh not in row.refresh_token_encrypted
    assert row.access_token_encrypted.startswith("gAAAAA")
    return access, refresh


async def test_the_wizard_from_never_activated_to_active_over_http(
    stack: Stack, engine: AsyncEngine
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        tenant, _, api_key = await create_tenant(session, "E2E Wizard BV")
        await session.commit()
    headers = {"Authorization": f"Bearer {api_key}"}
    api = httpx.AsyncClient(base_url=stack.worker, headers=headers)
    browser = httpx.AsyncClient(follow_redirects=True)
    async with api, browser:
        status = (await api.get(P)).json()
        assert status["state"] == "never_activated"

        preview = (await api.get(P + "/wipe")).json()
        tables = [t["table"] for t in preview["tables"]]
        assert len(tables) == 7
        assert (await api.post(P + "/wipe", json={"tables": tables})).status_code == 200

        connect = await api.post(P + "/connect")
        assert connect.status_code == 200
        authorize_url = connect.json()["authorize_url"]
        assert authorize_url.startswith(f"{stack.sandbox}/oauth/authorize?")

        # The browser: to Rompslomp, which (auto-approving) redirects back to the worker.
        page = await browser.get(authorize_url)
        assert [r.status_code for r in page.history] == [302]
        assert str(page.url).startswith(f"{stack.worker}/api/v1/integration/oauth/callback?")
        assert page.status_code == 200
        assert "Gekoppeld met Rompslomp" in page.text

        administrations = (await api.get(P + "/administrations")).json()["items"]
        assert {a["api_accessible"] for a in administrations} == {True, False}
        company = next(a for a in administrations if a["api_accessible"])
        free = next(a for a in administrations if not a["api_accessible"])
        refused = await api.put(
            P + "/settings", json={"administration_id": free["id"], "accept_terms": True}
        )
        assert refused.json()["code"] == "administration_not_accessible"

        checked = await api.post(
            P + "/check", json={"administration_id": company["id"], "product": "P2"}
        )
        assert checked.status_code == 200
        assert checked.json()["product_code"] == "P2"

        saved = await api.put(
            P + "/settings",
            json={
                "administration_id": company["id"],
                "work_time_product": "P1",
                "travel_time_product": checked.json()["id"],
                "description_as_first_line": True,
                "filter_word": "garantie",
                "accept_terms": True,
            },
        )
        assert saved.status_code == 202, saved.text
        first_pair = await stored_tokens(engine, tenant.id, stack.token_key)

        # Rompslomp expires the access token: the worker refreshes and stores the new pair.
        await browser.post(f"{stack.sandbox}/_sandbox/tokens/expire", json={})
        assert (await api.get(P + "/administrations")).status_code == 200
        second_pair = await stored_tokens(engine, tenant.id, stack.token_key)
        assert second_pair != first_pair

        status = (await api.get(P)).json()
        assert status["state"] == "active"
        assert status["wizard"] == {"wiped": True, "connected": True, "configured": True}
        # The worker runs the initial import at once: each run is queued, running or done.
        assert {r["entity"] for r in status["sync"]} == {"customers", "articles"}
        assert {r["status"] for r in status["sync"]} <= {"queued", "running", "finished"}

    output = stack.worker_log.read_text()
    assert "integration.oauth.connected" in output  # the capture did capture
    assert "rompslomp.token.rotated" in output
    for secret in (*first_pair, *second_pair):
        assert secret not in output
