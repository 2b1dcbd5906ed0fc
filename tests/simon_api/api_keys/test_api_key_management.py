"""A company manages its employees' API keys: list, issue (shown once), revoke, deactivate."""

from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import ApiKey
from tests.support.tenants import TenantKey


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_new_key_is_shown_once_and_works(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    created = await client.post(
        f"/api/v1/employees/{field.employee_id}/api-keys", headers=office.headers
    )
    assert created.status_code == 201
    body = created.json()
    assert body["api_key"].startswith(body["prefix"])
    assert (
        await client.get("/api/v1/work-orders", headers=bearer(body["api_key"]))
    ).status_code == 200
    listed = await client.get(
        f"/api/v1/employees/{field.employee_id}/api-keys", headers=office.headers
    )
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 2  # the fixture's key and the new one, newest first
    assert items[0]["id"] == body["id"]
    assert all("api_key" not in item for item in items)
    assert all(item["created_at"] for item in items)


async def test_a_revoked_key_answers_401_at_once(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    key_id = (
        await client.get(f"/api/v1/employees/{field.employee_id}/api-keys", headers=office.headers)
    ).json()["items"][0]["id"]
    assert (await client.get("/api/v1/work-orders", headers=field.headers)).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{key_id}", headers=office.headers)
    assert revoked.status_code == 204
    refused = await client.get("/api/v1/work-orders", headers=field.headers)
    assert refused.status_code == 401
    again = await client.delete(f"/api/v1/api-keys/{key_id}", headers=office.headers)
    assert again.status_code == 204
    listed = await client.get(
        f"/api/v1/employees/{field.employee_id}/api-keys", headers=office.headers
    )
    assert listed.json()["items"][0]["revoked_at"] is not None


async def test_a_deactivated_employees_keys_stop_working(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    assert (await client.get("/api/v1/work-orders", headers=field.headers)).status_code == 200
    response = await client.patch(
        f"/api/v1/employees/{field.employee_id}", json={"active": False}, headers=office.headers
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert (await client.get("/api/v1/work-orders", headers=field.headers)).status_code == 401
    refused = await client.post(
        f"/api/v1/employees/{field.employee_id}/api-keys", headers=office.headers
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "employee_inactive"
    await client.patch(
        f"/api/v1/employees/{field.employee_id}", json={"active": True}, headers=office.headers
    )
    assert (await client.get("/api/v1/work-orders", headers=field.headers)).status_code == 200


async def test_an_office_employee_cannot_lock_themself_out(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    for change in ({"active": False}, {"role": "field"}):
        response = await client.patch(
            f"/api/v1/employees/{office.employee_id}", json=change, headers=office.headers
        )
        assert response.status_code == 409
        assert response.json()["code"] == "own_account"


async def test_a_null_field_is_refused_by_name(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    response = await client.patch(
        f"/api/v1/employees/{field.employee_id}", json={"role": None}, headers=office.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


async def test_field_keys_cannot_manage_keys(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    assert (
        await client.get(f"/api/v1/employees/{field.employee_id}/api-keys", headers=field.headers)
    ).status_code == 403
    assert (
        await client.post(f"/api/v1/employees/{office.employee_id}/api-keys", headers=field.headers)
    ).status_code == 403


async def test_last_used_at_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, session: AsyncSession, office: TenantKey
) -> None:
    key = (await session.scalars(select(ApiKey).where(ApiKey.tenant_id == office.tenant_id))).one()
    assert key.last_used_at is None
    await client.get("/api/v1/work-orders", headers=office.headers)
    await session.refresh(key)
    first = key.last_used_at
    assert first is not None
    await client.get("/api/v1/work-orders", headers=office.headers)
    await session.refresh(key)
    assert key.last_used_at == first  # within the minute: not written again
    await session.execute(
        update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=first - timedelta(minutes=2))
    )
    await client.get("/api/v1/work-orders", headers=office.headers)
    await session.refresh(key)
    assert key.last_used_at > first - timedelta(minutes=2)


async def test_the_key_in_use_is_not_revoked_by_its_own_request(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    own = (
        await client.get(f"/api/v1/employees/{office.employee_id}/api-keys", headers=office.headers)
    ).json()["items"][0]
    response = await client.delete(f"/api/v1/api-keys/{own['id']}", headers=office.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "own_key"
    assert (await client.get("/api/v1/work-orders", headers=office.headers)).status_code == 200
