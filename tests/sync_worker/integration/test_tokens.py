"""Tokens at rest (D5): encrypted, rotated pairs stored before use, a refused refresh token
turns the integration to needs_reconnect with an error entry saying to connect again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.rompslomp import TokenSet
from services.sync_worker.rompslomp.connection import connected, store_tokens
from services.sync_worker.rompslomp.tokens import cipher_for
from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.models import Integration, IntegrationLogEntry, RompslompConnection
from tests.sync_worker.support import Wizard

HOUR = timedelta(hours=1)


async def stored_pair(
    session: AsyncSession, tenant_id: int, settings: SyncWorkerSettings
) -> tuple[str, str, RompslompConnection]:
    session.expire_all()
    row = await session.scalar(
        select(RompslompConnection).where(RompslompConnection.tenant_id == tenant_id)
    )
    assert row is not None
    cipher = cipher_for(settings.token_encryption_key)
    access = cipher.decrypt(row.access_token_encrypted.encode()).decode()
    refresh = cipher.decrypt(row.refresh_token_encrypted.encode()).decode()
    return access, refresh, row


async def test_tokens_are_stored_encrypted_and_work_at_rompslomp(
    wizard: Wizard, session: AsyncSession, worker_settings: SyncWorkerSettings
) -> None:
    await wizard.wipe_all()
    await wizard.connect()
    access, refresh, row = await stored_pair(session, wizard.who.tenant_id, worker_settings)
    assert access not in row.access_token_encrypted
    assert refresh not in row.refresh_token_encrypted
    assert row.scope == "public manage:contacts manage:sales_invoices manage:products"
    assert row.connected_by == wizard.who.employee_id
    companies = await wizard.sandbox.get(
        "/api/v1/companies", headers={"Authorization": f"Bearer {access}"}
    )
    assert companies.status_code == 200


async def test_a_rotated_pair_is_persisted_and_the_old_refresh_token_is_dead(
    wizard: Wizard, session: AsyncSession, worker_settings: SyncWorkerSettings
) -> None:
    await wizard.activate()
    old_access, old_refresh, _ = await stored_pair(session, wizard.who.tenant_id, worker_settings)
    # Near expiry: the client refreshes ahead of time, before its next request.
    await session.execute(
        update(RompslompConnection)
        .where(RompslompConnection.tenant_id == wizard.who.tenant_id)
        .values(expires_at=utcnow())
    )
    await session.commit()

    await wizard.call("GET", "/administrations")

    new_access, new_refresh, row = await stored_pair(session, wizard.who.tenant_id, worker_settings)
    assert (new_access, new_refresh) != (old_access, old_refresh)
    assert row.expires_at > utcnow()
    reused = await wizard.sandbox.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": old_refresh,
            "client_id": "simon-dev",
            "client_secret": "simon-dev-secret",
        },
    )
    assert reused.json()["error"] == "invalid_grant"
    # …and the stored pair keeps working.
    assert (await wizard.call("GET", "/administrations"))["items"]


async def test_a_revoked_refresh_token_needs_a_reconnect_with_an_error_entry(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.activate()
    revoked = await wizard.sandbox.post("/_sandbox/tokens/revoke", json={})
    assert revoked.status_code == 204

    problem = await wizard.call("GET", "/administrations", status=409)
    assert problem["code"] == "needs_reconnect"

    status = await wizard.call("GET", "")
    assert status["state"] == "needs_reconnect"
    assert status["wizard"]["connected"] is False
    assert await session.get(RompslompConnection, wizard.who.tenant_id) is None
    entry = await session.scalar(
        select(IntegrationLogEntry)
        .where(
            IntegrationLogEntry.tenant_id == wizard.who.tenant_id,
            IntegrationLogEntry.level == "error",
        )
        .order_by(IntegrationLogEntry.id.desc())
    )
    assert entry is not None
    assert "Koppel opnieuw met Rompslomp" in entry.action
    logs = await wizard.call("GET", "/logs?level=error")
    assert logs["total"] == 1
    assert "Koppel opnieuw" in logs["items"][0]["action"]


async def test_connecting_again_after_a_revocation_makes_the_integration_active_again(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.activate()
    await wizard.sandbox.post("/_sandbox/tokens/revoke", json={})
    await wizard.call("GET", "/administrations", status=409)

    await wizard.connect()

    session.expire_all()
    integration = await session.get(Integration, wizard.who.tenant_id)
    assert integration is not None
    assert integration.state == "active"
    assert (await wizard.call("GET", "/administrations"))["items"]


async def test_an_unreachable_rompslomp_is_a_502_not_a_500(wizard: Wizard) -> None:
    await wizard.wipe_all()
    await wizard.connect()
    await wizard.sandbox.put("/_sandbox/faults", json={"error_rate": 1.0})
    try:
        problem = await wizard.call("GET", "/administrations", status=502)
    finally:
        await wizard.sandbox.delete("/_sandbox/faults")
    assert problem["code"] == "rompslomp_unavailable"


async def test_a_pair_rotated_elsewhere_is_adopted_not_refreshed_again(
    wizard: Wizard,
    session: AsyncSession,
    rompslomp: Rompslomp,
    sessions: SessionFactory,
    worker_settings: SyncWorkerSettings,
) -> None:
    """Two replicas: ours holds the old pair while another one rotates it. Under the row
    lock ours finds the newer stored pair and uses it instead of spending a dead refresh
    token (which would end in needs_reconnect)."""
    await wizard.activate()
    tenant_id = wizard.who.tenant_id
    cipher = cipher_for(worker_settings.token_encryption_key)
    async with connected(rompslomp, sessions, tenant_id) as client:
        old_access, old_refresh, _ = await stored_pair(session, tenant_id, worker_settings)
        rotated = await wizard.sandbox.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": old_refresh,
                "client_id": "simon-dev",
                "client_secret": "simon-dev-secret",
            },
        )
        body = rotated.json()
        elsewhere = TokenSet(body["access_token"], body["refresh_token"], utcnow() + HOUR)
        await store_tokens(session, tenant_id, elsewhere, cipher)
        await session.commit()
        await wizard.sandbox.post("/_sandbox/tokens/expire", json={"access_token": old_access})

        assert await client.list_companies()

    access, refresh, _ = await stored_pair(session, tenant_id, worker_settings)
    assert (access, refresh) == (elsewhere.access_token, elsewhere.refresh_token)
    assert (await wizard.call("GET", ""))["state"] == "active"
