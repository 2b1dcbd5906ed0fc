"""Idempotency-Key on POST and PATCH (issue 15): replay, another request, a concurrent repeat,
expiry. simon_api runs in-process with its real lifespan (pools, commits) on the test
database: the rules are about transactions that really commit and connections that really
wait on each other, so these tests cannot live in the rolled-back test session.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.simon_api import idempotency
from services.simon_api.main import create_app
from services.simon_api.settings import SimonApiSettings
from shared.auth import create_tenant
from shared.models import Employee, IdempotencyKey, WorkOrder
from tests.support.tenants import TenantKey

W = "/api/v1/work-orders"


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimonApiSettings(database_url=database_url, db_pool_size=4))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://simon") as client:
            yield client


@pytest.fixture
async def tenant(engine: AsyncEngine) -> TenantKey:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        created, employee, key = await create_tenant(session, f"Idempotent {uuid.uuid4().hex}")
        await session.commit()
    return TenantKey(created.id, employee.id, key)


def keyed(tenant: TenantKey, key: str) -> dict[str, str]:
    return {**tenant.headers, "Idempotency-Key": key}


async def _work_orders(engine: AsyncEngine, tenant: TenantKey) -> int:
    async with AsyncSession(engine) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WorkOrder)
            .where(WorkOrder.tenant_id == tenant.tenant_id)
        )
    return int(count or 0)


async def test_a_repeat_is_answered_with_the_first_response_byte_for_byte(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    body = {"description": "Lekkage badkamer"}
    first = await live.post(W, json=body, headers=keyed(tenant, key))
    again = await live.post(W, json=body, headers=keyed(tenant, key))
    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _work_orders(engine, tenant) == 1


async def test_the_same_json_in_another_key_order_is_the_same_request(
    live: httpx.AsyncClient, tenant: TenantKey
) -> None:
    key = str(uuid.uuid4())
    headers = {**keyed(tenant, key), "content-type": "application/json"}
    first = await live.post(
        W, content=b'{"description": "x", "planned_date": null}', headers=headers
    )
    again = await live.post(
        W, content=b'{ "planned_date": null,\n "description": "x" }', headers=headers
    )
    assert again.status_code == 201
    assert again.content == first.content


async def test_the_same_key_with_another_body_is_refused(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    await live.post(W, json={"description": "Eerste"}, headers=keyed(tenant, key))
    other = await live.post(W, json={"description": "Tweede"}, headers=keyed(tenant, key))
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await _work_orders(engine, tenant) == 1


async def test_the_same_key_on_another_endpoint_is_refused(
    live: httpx.AsyncClient, tenant: TenantKey
) -> None:
    key = str(uuid.uuid4())
    created = await live.post(W, json={"description": "x"}, headers=keyed(tenant, key))
    path = f"{W}/{created.json()['id']}"
    other = await live.patch(path, json={"description": "x"}, headers=keyed(tenant, key))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_keys_belong_to_one_tenant(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        other, employee, api_key = await create_tenant(session, f"Ander {uuid.uuid4().hex}")
        await session.commit()
    someone_else = TenantKey(other.id, employee.id, api_key)
    key = str(uuid.uuid4())
    mine = await live.post(W, json={"description": "x"}, headers=keyed(tenant, key))
    theirs = await live.post(W, json={"description": "x"}, headers=keyed(someone_else, key))
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_a_refused_request_is_kept_and_replayed_too(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    body = {"description": "x", "customer_id": 999999}
    first = await live.post(W, json=body, headers=keyed(tenant, key))
    again = await live.post(W, json=body, headers=keyed(tenant, key))
    assert first.status_code == 422
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await _work_orders(engine, tenant) == 0


async def _hold_numbering(engine: AsyncEngine, tenant: TenantKey) -> Any:
    """Lock the tenant's work-order counter in another transaction: a POST /work-orders of
    this tenant then waits inside its transaction, with its key claimed."""
    connection = await engine.connect()
    await connection.begin()
    await connection.execute(
        text(
            "INSERT INTO work_order_counters (tenant_id, year, last_number) "
            "VALUES (:t, extract(year FROM now() AT TIME ZONE 'Europe/Amsterdam')::int, 0) "
            "ON CONFLICT DO NOTHING"
        ),
        {"t": tenant.tenant_id},
    )
    await connection.execute(
        text("SELECT 1 FROM work_order_counters WHERE tenant_id = :t FOR UPDATE"),
        {"t": tenant.tenant_id},
    )
    return connection


async def _waiting(engine: AsyncEngine, at_least: int) -> None:
    """Until `at_least` of this database's sessions wait on a lock (a generous deadline)."""
    for _ in range(600):
        async with engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        if waiting >= at_least:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never saw {at_least} waiting sessions")


async def test_a_concurrent_repeat_waits_for_the_first_and_gets_its_response(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    body = {"description": "Tegelijk"}
    holder = await _hold_numbering(engine, tenant)
    try:
        first = asyncio.create_task(live.post(W, json=body, headers=keyed(tenant, key)))
        await _waiting(engine, 1)
        repeat = asyncio.create_task(live.post(W, json=body, headers=keyed(tenant, key)))
        await _waiting(engine, 2)  # the repeat waits on the first's key
    finally:
        await holder.rollback()
        await holder.close()
    answers = await asyncio.gather(first, repeat)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1].content == answers[0].content
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert await _work_orders(engine, tenant) == 1


async def test_a_concurrent_repeat_that_waits_too_long_answers_in_progress(
    live: httpx.AsyncClient,
    tenant: TenantKey,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST_SECONDS", 0.2)
    key = str(uuid.uuid4())
    body = {"description": "Te lang"}
    holder = await _hold_numbering(engine, tenant)
    try:
        first = asyncio.create_task(live.post(W, json=body, headers=keyed(tenant, key)))
        await _waiting(engine, 1)
        repeat = await live.post(W, json=body, headers=keyed(tenant, key))
    finally:
        await holder.rollback()
        await holder.close()
    assert repeat.status_code == 409
    assert repeat.json()["code"] == "idempotency_key_in_progress"
    assert repeat.headers["retry-after"] == "1"
    assert (await first).status_code == 201
    assert await _work_orders(engine, tenant) == 1


async def test_an_expired_key_is_a_new_request_and_is_cleaned_up(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    await live.post(W, json={"description": "Gisteren"}, headers=keyed(tenant, key))
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' "
                "WHERE tenant_id = :t AND key = :k"
            ),
            {"t": tenant.tenant_id, "k": key},
        )
    again = await live.post(W, json={"description": "Vandaag"}, headers=keyed(tenant, key))
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await _work_orders(engine, tenant) == 2

    stale = str(uuid.uuid4())
    await live.post(W, json={"description": "Oud"}, headers=keyed(tenant, stale))
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 hour' WHERE key = :k"
            ),
            {"k": stale},
        )
    assert await idempotency.delete_expired(engine) >= 1
    async with AsyncSession(engine) as session:
        keys = set(
            await session.scalars(
                select(IdempotencyKey.key).where(IdempotencyKey.tenant_id == tenant.tenant_id)
            )
        )
    assert keys == {key}


async def test_a_new_api_key_is_not_kept_and_a_replay_shows_null(
    live: httpx.AsyncClient, tenant: TenantKey, engine: AsyncEngine
) -> None:
    key = str(uuid.uuid4())
    body = {"name": "Piet", "email": f"piet-{key}@example.nl", "role": "field"}
    first = await live.post("/api/v1/employees", json=body, headers=keyed(tenant, key))
    again = await live.post("/api/v1/employees", json=body, headers=keyed(tenant, key))
    assert first.status_code == 201, first.text
    assert first.json()["api_key"].startswith("sim_")
    assert again.status_code == 201
    assert again.json() == {**first.json(), "api_key": None}
    async with AsyncSession(engine) as session:
        stored = await session.scalar(select(IdempotencyKey.body).where(IdempotencyKey.key == key))
        employees = await session.scalar(
            select(func.count()).select_from(Employee).where(Employee.email == body["email"])
        )
    assert stored is not None
    assert first.json()["api_key"].encode() not in stored
    assert employees == 1


@pytest.mark.parametrize("bad", ["", "x" * 256, "met spatie"])
async def test_a_malformed_key_is_a_422_naming_the_header(
    live: httpx.AsyncClient, tenant: TenantKey, bad: str
) -> None:
    answer = await live.post(W, json={"description": "x"}, headers=keyed(tenant, bad))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_without_a_valid_api_key_the_key_is_not_looked_at(live: httpx.AsyncClient) -> None:
    answer = await live.post(
        W, json={"description": "x"}, headers={"Idempotency-Key": "k", "Authorization": "Bearer no"}
    )
    assert answer.status_code == 401


async def test_every_post_and_patch_documents_the_header(live: httpx.AsyncClient) -> None:
    document = (await live.get("/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("post", "patch")
    ]
    assert operations
    for path, method, operation in operations:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, (method, path)
