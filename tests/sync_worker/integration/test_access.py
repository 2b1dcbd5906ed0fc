"""Who may manage the integration: office keys of the tenant itself (D6, API.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Customer
from tests.support.tenants import TenantKey
from tests.sync_worker.support import Wizard

ENDPOINTS = [
    ("GET", "", None),
    ("GET", "/wipe", None),
    ("POST", "/wipe", {"tables": ["customer"]}),
    ("POST", "/connect", None),
    ("GET", "/administrations", None),
    ("POST", "/check", {"administration_id": 1, "product": "P1"}),
    ("GET", "/settings", None),
    ("GET", "/settings/history", None),
    ("PUT", "/settings", {"administration_id": 1, "accept_terms": True}),
    ("POST", "/deactivate", {"confirm": True}),
    ("POST", "/activate", None),
    ("POST", "/sync", {"customers": True}),
    ("POST", "/sync/confirm-deletions", {"entity": "customers"}),
    ("GET", "/sync-runs", None),
    ("GET", "/logs", None),
    ("GET", "/products?administration_id=1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_a_field_key_gets_403_office_only(
    client: httpx.AsyncClient, field: TenantKey, method: str, path: str, body: object
) -> None:
    response = await client.request(
        method, f"/api/v1/integration{path}", json=body, headers=field.headers
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "office_only"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_no_key_gets_401(
    client: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    response = await client.request(method, f"/api/v1/integration{path}", json=body)
    assert response.status_code == 401


async def test_another_tenant_sees_nothing_of_an_active_integration(
    wizard: Wizard,
    session: AsyncSession,
    make_tenant: Callable[..., Awaitable[TenantKey]],
) -> None:
    await wizard.activate()
    other = Wizard(wizard.client, wizard.sandbox, await make_tenant("Tenant B"))
    session.add(Customer(tenant_id=other.who.tenant_id, name="Klant van B"))
    await session.commit()

    status = await other.call("GET", "")
    assert status["state"] == "never_activated"
    assert status["wizard"] == {"wiped": False, "connected": False, "configured": False}
    assert status["sync"] == []
    assert next(t for t in status["tables"] if t["table"] == "customer")["count"] == 1
    assert (await other.call("GET", "/settings", status=404))["code"] == "settings_not_found"
    assert (await other.call("GET", "/settings/history"))["items"] == []
    assert (await other.call("GET", "/logs"))["total"] == 0
    assert (await other.call("GET", "/sync-runs"))["items"] == []
    assert (await other.call("GET", "/administrations", status=409))["code"] == "not_connected"
    assert (await other.call("POST", "/deactivate", {"confirm": True}, status=409))[
        "code"
    ] == "not_active"


async def test_a_wipe_touches_only_the_own_tenant(
    wizard: Wizard,
    session: AsyncSession,
    make_tenant: Callable[..., Awaitable[TenantKey]],
) -> None:
    other = await make_tenant("Tenant B")
    session.add(Customer(tenant_id=other.tenant_id, name="Klant van B"))
    session.add(Customer(tenant_id=wizard.who.tenant_id, name="Klant van A"))
    await session.commit()
    await wizard.wipe_all()
    other_view = Wizard(wizard.client, wizard.sandbox, other)
    preview = await other_view.call("GET", "/wipe")
    assert next(t for t in preview["tables"] if t["table"] == "customer")["count"] == 1
    mine = await wizard.call("GET", "/wipe")
    assert next(t for t in mine["tables"] if t["table"] == "customer")["count"] == 0
