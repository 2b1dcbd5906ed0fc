"""Field employees work on work orders; the office manages people, master data and archive."""

import httpx
import pytest

from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/employees", {"name": "X", "email": "x@example.nl", "role": "field"}),
        ("POST", "/api/v1/customers", {"name": "X"}),
        ("POST", "/api/v1/articles", {"code": "X", "description": "x", "price": "1"}),
        ("POST", "/api/v1/article-groups", {"name": "X"}),
    ],
)
async def test_field_key_cannot_manage(
    client: httpx.AsyncClient, field: TenantKey, method: str, path: str, body: Json
) -> None:
    response = await client.request(method, path, json=body, headers=field.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "office_only"


@pytest.mark.parametrize("action", ["archive", "reopen"])
async def test_field_key_cannot_archive_or_reopen(
    api: Api, client: httpx.AsyncClient, field: TenantKey, action: str
) -> None:
    work_order = await api.completed_work_order()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/{action}", headers=field.headers
    )
    assert response.status_code == 403


async def test_field_key_registers_time_and_completes(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    entry = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "travel", "minutes": 15},
        headers=field.headers,
    )
    assert entry.status_code == 201
    assert entry.json()["employee_id"] == field.employee_id
    completed = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/complete", headers=field.headers
    )
    assert completed.json()["status"] == "completed"


async def test_office_creates_an_employee_whose_key_works(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.post(
        "/api/v1/employees",
        json={"name": "Piet", "email": "piet@example.nl", "role": "field"},
        headers=office.headers,
    )
    assert response.status_code == 201
    key = response.json()["api_key"]
    me = await client.get("/api/v1/work-orders", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200


async def test_the_employee_list_never_shows_keys(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get("/api/v1/employees", headers=office.headers)
    assert response.status_code == 200
    assert all("api_key" not in e for e in response.json()["items"])


async def test_an_email_is_used_once_per_tenant(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    body = {"name": "Piet", "email": "piet@example.nl", "role": "field"}
    await client.post("/api/v1/employees", json=body, headers=office.headers)
    again = await client.post("/api/v1/employees", json=body, headers=office.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"
