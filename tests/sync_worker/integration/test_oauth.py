"""Connecting (R-SETUP-3): authorize URL with scopes, state and PKCE S256; the callback
refuses forged, expired and reused states and denied consent, and then stores nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.integration.oauth import pkce_challenge, state_hash
from services.sync_worker.rompslomp.tokens import cipher_for
from services.sync_worker.settings import SyncWorkerSettings
from shared.models import Integration, IntegrationLogEntry, OAuthState, RompslompConnection
from tests.support.tenants import TenantKey
from tests.sync_worker.support import ACCEPT_JSON, CALLBACK, Wizard, query_of


async def connections(session: AsyncSession, tenant_id: int) -> int:
    statement = select(func.count()).where(RompslompConnection.tenant_id == tenant_id)
    return int(await session.scalar(statement) or 0)


async def test_connect_needs_the_wipe_first(wizard: Wizard) -> None:
    problem = await wizard.call("POST", "/connect", status=409)
    assert problem["code"] == "wipe_required"


async def test_the_authorize_url_asks_four_scopes_with_state_and_pkce_s256(
    wizard: Wizard, session: AsyncSession, worker_settings: SyncWorkerSettings
) -> None:
    await wizard.wipe_all()
    url = (await wizard.call("POST", "/connect"))["authorize_url"]
    assert url.startswith("http://rompslomp.test/oauth/authorize?")
    query = query_of(httpx.URL(url))
    assert query["scope"] == "public manage:contacts manage:sales_invoices manage:products"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == CALLBACK
    assert query["client_id"] == "simon-dev"
    assert query["code_challenge_method"] == "S256"

    stored = await session.scalar(
        select(OAuthState).where(OAuthState.state_hash == state_hash(query["state"]))
    )
    assert stored is not None
    assert stored.tenant_id == wizard.who.tenant_id
    assert stored.used_at is None
    cipher = cipher_for(worker_settings.token_encryption_key)
    verifier = cipher.decrypt(stored.code_verifier_encrypted.encode()).decode()
    assert verifier not in stored.code_verifier_encrypted
    assert 43 <= len(verifier) <= 128
    assert pkce_challenge(verifier) == query["code_challenge"]


async def test_a_forged_state_is_refused_and_stores_nothing(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.wipe_all()
    callback = await wizard.authorize()
    forged = callback.copy_set_param("state", "forged-state-0123456789")
    response = await wizard.callback(forged, **ACCEPT_JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"
    assert await connections(session, wizard.who.tenant_id) == 0


async def test_a_forged_state_gets_a_plain_dutch_page_in_a_browser(wizard: Wizard) -> None:
    response = await wizard.client.get(
        "/api/v1/integration/oauth/callback?code=abc&state=nope", headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    assert "niet vanuit Simon gestart" in response.text


async def test_a_callback_without_state_is_refused(wizard: Wizard) -> None:
    response = await wizard.client.get(
        "/api/v1/integration/oauth/callback?code=abc", headers=ACCEPT_JSON
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"


async def test_an_expired_state_is_refused_and_stores_nothing(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.wipe_all()
    callback = await wizard.authorize()
    await session.execute(
        update(OAuthState)
        .where(OAuthState.tenant_id == wizard.who.tenant_id)
        .values(created_at=func.now() - func.make_interval(0, 0, 0, 0, 0, 11))
    )
    await session.commit()
    response = await wizard.callback(callback, **ACCEPT_JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "state_expired"
    assert await connections(session, wizard.who.tenant_id) == 0


async def test_a_reused_state_is_refused(wizard: Wizard, session: AsyncSession) -> None:
    await wizard.wipe_all()
    callback = await wizard.authorize()
    first = await wizard.callback(callback)
    assert first.status_code == 200
    again = await wizard.callback(callback, **ACCEPT_JSON)
    assert again.status_code == 400
    assert again.json()["code"] == "state_used"
    assert await connections(session, wizard.who.tenant_id) == 1


async def test_denied_consent_stores_nothing_and_logs_what_to_do(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.wipe_all()
    url = (await wizard.call("POST", "/connect"))["authorize_url"]
    form = {**query_of(httpx.URL(url)), "decision": "deny"}
    answer = await wizard.sandbox.post("/oauth/authorize", data=form)
    assert answer.status_code == 303
    callback = httpx.URL(answer.headers["location"])
    assert query_of(callback)["error"] == "access_denied"

    response = await wizard.callback(callback, **ACCEPT_JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "access_denied"
    assert await connections(session, wizard.who.tenant_id) == 0
    entry = await session.scalar(
        select(IntegrationLogEntry)
        .where(IntegrationLogEntry.tenant_id == wizard.who.tenant_id)
        .order_by(IntegrationLogEntry.id.desc())
    )
    assert entry is not None
    assert entry.level == "warning"
    assert "Koppel" in entry.action
    status = await wizard.call("GET", "")
    assert status["wizard"]["connected"] is False


async def test_a_code_rompslomp_refuses_stores_nothing(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.wipe_all()
    callback = await wizard.authorize()
    response = await wizard.callback(callback.copy_set_param("code", "not-a-code"), **ACCEPT_JSON)
    assert response.status_code == 502
    assert response.json()["code"] == "code_exchange_failed"
    assert await connections(session, wizard.who.tenant_id) == 0


async def test_the_callback_can_send_the_browser_back_to_the_ui(
    wizard: Wizard, worker_settings: SyncWorkerSettings
) -> None:
    worker_settings.ui_return_url = "https://app.simon.test/integraties/rompslomp"
    await wizard.wipe_all()
    response = await wizard.callback(await wizard.authorize())
    assert response.status_code == 303
    assert response.headers["location"] == (
        "https://app.simon.test/integraties/rompslomp?rompslomp=connected"
    )
    forged = await wizard.client.get("/api/v1/integration/oauth/callback?code=x&state=y")
    assert forged.status_code == 303
    assert forged.headers["location"].endswith("?rompslomp=error&code=invalid_state")


async def test_the_state_binds_the_callback_to_the_tenant_that_started_it(
    wizard: Wizard, session: AsyncSession, make_tenant: Callable[..., Awaitable[TenantKey]]
) -> None:
    other = await make_tenant("Tenant B")
    await wizard.wipe_all()
    await wizard.connect()
    tenants = [wizard.who.tenant_id, other.tenant_id]
    stored = (
        await session.scalars(
            select(RompslompConnection).where(RompslompConnection.tenant_id.in_(tenants))
        )
    ).all()
    assert [c.tenant_id for c in stored] == [wizard.who.tenant_id]
    other_integration = await session.get(Integration, other.tenant_id)
    assert other_integration is None


async def test_connect_without_a_token_key_fails_clearly(
    wizard: Wizard, worker_settings: SyncWorkerSettings
) -> None:
    await wizard.wipe_all()
    worker_settings.token_encryption_key = None
    problem = await wizard.call("POST", "/connect", status=503)
    assert problem["code"] == "token_key_missing"
    assert "TOKEN_ENCRYPTION_KEY" in problem["detail"]


async def test_connecting_again_clears_stale_authorisations_of_the_tenant(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.wipe_all()
    await wizard.call("POST", "/connect")
    await session.execute(
        update(OAuthState)
        .where(OAuthState.tenant_id == wizard.who.tenant_id)
        .values(created_at=func.now() - func.make_interval(0, 0, 0, 2))
    )
    await session.commit()
    await wizard.call("POST", "/connect")
    statement = select(func.count()).where(OAuthState.tenant_id == wizard.who.tenant_id)
    assert await session.scalar(statement) == 1
