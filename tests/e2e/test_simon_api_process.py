"""simon_api as a real process over HTTP, with its production database paths (the raw
asyncpg pool for authentication and work order reads, SQLAlchemy for writes)."""

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tenant(database_url: str) -> dict[str, Any]:
    """A tenant made by the console script, as an operator would."""
    import os

    result = subprocess.run(
        [sys.executable, "-m", "services.simon_api.cli", "tenant", "create", "--name", "E2E BV"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    created: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return created


async def test_health_and_ready(simon_api_url: str) -> None:
    async with httpx.AsyncClient(base_url=simon_api_url) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/ready")).json() == {"status": "ok"}


async def test_a_work_order_walks_its_lifecycle_over_http(
    simon_api_url: str, tenant: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {tenant['api_key']}"}
    async with httpx.AsyncClient(base_url=f"{simon_api_url}/api/v1", headers=headers) as client:
        employees = (await client.get("/employees")).json()["items"]
        customer = (await client.post("/customers", json={"name": "Bakkerij"})).json()
        article = (
            await client.post("/articles", json={"code": "A", "description": "a", "price": "3"})
        ).json()
        created = await client.post(
            "/work-orders",
            json={
                "customer_id": customer["id"],
                "description": "Lekkage",
                "assignee_id": employees[0]["id"],
                "planned_date": "2026-12-01",
            },
        )
        assert created.status_code == 201
        work_order = created.json()
        wid = work_order["id"]
        await client.post(f"/work-orders/{wid}/time-entries", json={"kind": "work", "minutes": 60})
        await client.post(
            f"/work-orders/{wid}/materials", json={"article_id": article["id"], "quantity": "2"}
        )
        assert (await client.post(f"/work-orders/{wid}/complete")).status_code == 200
        archived = (await client.post(f"/work-orders/{wid}/archive")).json()
        assert archived["status"] == "archived"

        listed = (await client.get("/work-orders", params={"status": "archived"})).json()
        assert [w["id"] for w in listed["items"]] == [wid]
        shown = (await client.get(f"/work-orders/{wid}")).json()
        assert shown == listed["items"][0]
        assert shown["materials"][0]["unit_price"] == "3.00"
        assert shown["time_entries"][0]["minutes"] == 60


async def test_a_wrong_key_is_refused_over_http(simon_api_url: str) -> None:
    async with httpx.AsyncClient(base_url=simon_api_url) as client:
        response = await client.get(
            "/api/v1/work-orders", headers={"Authorization": "Bearer sim_wrong"}
        )
    assert response.status_code == 401


async def test_sync_worker_process_is_healthy_and_ready(sync_worker_url: str) -> None:
    async with httpx.AsyncClient(base_url=sync_worker_url) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/ready")).json() == {"status": "ok"}
