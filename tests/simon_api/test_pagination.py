"""Cursor pagination walks every row exactly once."""

import httpx

from tests.simon_api.support import Api
from tests.support.tenants import TenantKey


async def test_walking_the_cursor_visits_every_work_order_once(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    created = [(await api.post("/work-orders", {"description": f"wo {i}"}))["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/api/v1/work-orders", params=params, headers=office.headers)
        ).json()
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(created, reverse=True)


async def test_the_last_full_page_has_no_next_cursor(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    for i in range(2):
        await api.customer(name=f"Klant {i}")
    page = (
        await client.get("/api/v1/customers", params={"limit": 2}, headers=office.headers)
    ).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"] is None


async def test_status_filter(api: Api, client: httpx.AsyncClient, office: TenantKey) -> None:
    planned = await api.planned_work_order()
    await api.post("/work-orders", {"description": "los"})
    page = (
        await client.get(
            "/api/v1/work-orders", params={"status": "planned"}, headers=office.headers
        )
    ).json()
    assert [w["id"] for w in page["items"]] == [planned["id"]]
