"""Archive → concept invoice on real processes (R-EXPORT-1/3/6): the sandbox, simon_api and
a sync_worker (job worker + outbox relay inside) on 127.0.0.1, on a database of their own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine
from shared.migrate import upgrade
from tests.e2e.export_world import World, archive, completed_work_order, invoices, make_world
from tests.support.database import admin_execute, in_thread, with_database
from tests.support.processes import start_service, stop

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0
P = "/api/v1/integration"


@dataclass
class Stack:
    database_url: str
    token_key: str
    sandbox: str
    simon_api: str
    worker: str


@pytest.fixture(scope="module")
def export_stack(postgres_server_url: str) -> Iterator[Stack]:
    name = f"simon_export_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)
    key = Fernet.generate_key().decode()
    sandbox, sandbox_url = start_service("services.rompslomp_sandbox.app:create_app", {})
    processes = [sandbox]
    try:
        api, api_url = start_service("services.simon_api.main:create_app", {"DATABASE_URL": url})
        processes.append(api)
        worker, worker_url = start_service(
            "services.sync_worker.main:create_app",
            {
                "DATABASE_URL": url,
                "ROMPSLOMP_API_URL": sandbox_url,
                "ROMPSLOMP_OAUTH_URL": sandbox_url,
                "TOKEN_ENCRYPTION_KEY": key,
            },
        )
        processes.append(worker)
        yield Stack(url, key, sandbox_url, api_url, worker_url)
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture
async def export_engine(export_stack: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(export_stack.database_url, pool_size=2)
    yield engine
    await engine.dispose()


async def wait_for(check: Any, what: str) -> Any:
    """Poll `check()` until it returns something truthy; fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


async def export_of(worker: httpx.AsyncClient, world: World, work_order_id: int) -> Any:
    answer = await worker.get(f"{P}/exports", headers=world.headers)
    answer.raise_for_status()
    return next((e for e in answer.json()["items"] if e["work_order_id"] == work_order_id), None)


async def export_with_status(
    worker: httpx.AsyncClient, world: World, work_order_id: int, status: str
) -> Any:
    async def check() -> Any:
        export = await export_of(worker, world, work_order_id)
        return export if export and export["status"] == status else None

    return await wait_for(check, f"the export of work order {work_order_id} to be {status}")


@dataclass
class Clients:
    sandbox: httpx.AsyncClient
    api: httpx.AsyncClient
    worker: httpx.AsyncClient


@pytest.fixture
async def http(export_stack: Stack) -> AsyncIterator[Clients]:
    async with (
        httpx.AsyncClient(base_url=export_stack.sandbox) as sandbox,
        httpx.AsyncClient(base_url=export_stack.simon_api) as api,
        httpx.AsyncClient(base_url=export_stack.worker) as worker,
    ):
        yield Clients(sandbox, api, worker)


async def test_an_archived_work_order_becomes_exactly_one_concept_invoice(
    export_stack: Stack, export_engine: AsyncEngine, http: Clients
) -> None:
    sandbox, api, worker = http.sandbox, http.api, http.worker
    world = await make_world(export_engine, sandbox, export_stack.token_key, "E2E Export BV")
    work_order_id = await completed_work_order(
        api,
        world,
        description="CV-ketel lekt bij de vulkraan",
        work_minutes=120,
        travel_minutes=15,
        materials=((0, "2", None), (1, "1", "19.95")),
    )
    preview = await worker.get(
        f"{P}/work-orders/{work_order_id}/invoice-preview", headers=world.headers
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["would_send"] is True

    await archive(api, world, work_order_id)

    export = await export_with_status(worker, world, work_order_id, "sent")
    found = await invoices(sandbox, world)
    assert len(found) == 1
    invoice = found[0]
    assert invoice["id"] == export["rompslomp_invoice_id"]
    assert invoice["status"] == "concept"
    assert invoice["api_reference"] == f"simon-{world.tenant_id}-wo-{work_order_id}"
    assert invoice["contact_id"] == world.customers[0][1]
    number = export["number"]
    assert invoice["description"] == (f"Werkbon {number}, werkadres Dorpsstraat 1, 3511 AB Utrecht")
    lines = [
        (
            line["description"],
            Decimal(str(line["quantity"])),
            Decimal(str(line["price_per_unit"])),
            line["product_id"],
        )
        for line in invoice["invoice_lines"]
    ]
    assert lines == [
        ("CV-ketel lekt bij de vulkraan", Decimal("1"), Decimal("0"), None),
        ("Arbeid monteur", Decimal("2"), Decimal("65.00"), world.work.id),
        ("Reistijd", Decimal("0.25"), Decimal("45.50"), world.travel.id),
        ("Knelkoppeling 15 mm", Decimal("2"), Decimal("2.35"), world.materials[0].id),
        ("Thermostaatkraan", Decimal("1"), Decimal("19.95"), world.materials[1].id),
    ]
    for line, product in zip(
        invoice["invoice_lines"][1:],
        [world.work, world.travel, *world.materials],
        strict=True,
    ):
        assert line["vat_type_id"] == product.vat_type_id

    log = await worker.get(f"{P}/logs", headers=world.headers)
    messages = [entry["message"] for entry in log.json()["items"]]
    assert f"Conceptfactuur aangemaakt in Rompslomp voor werkbon {number}." in messages
    # A reopen is refused now that a concept invoice exists (R-EXPORT-2).
    reopen = await api.post(f"/api/v1/work-orders/{work_order_id}/reopen", headers=world.headers)
    assert reopen.status_code == 409
    assert reopen.json()["code"] == "invoice_exists"
    metrics = (await worker.get("/metrics")).text
    assert "simon_archive_to_invoice_seconds_count" in metrics


async def test_a_work_order_without_customer_fails_then_reopened_and_rearchived_is_sent(
    export_stack: Stack, export_engine: AsyncEngine, http: Clients
) -> None:
    sandbox, api, worker = http.sandbox, http.api, http.worker
    world = await make_world(export_engine, sandbox, export_stack.token_key, "E2E Reopen BV")
    work_order_id = await completed_work_order(api, world, customer=None)
    await archive(api, world, work_order_id)

    export = await export_with_status(worker, world, work_order_id, "failed")
    assert "heeft geen klant" in export["last_error"]
    assert await invoices(sandbox, world) == []
    retry = await worker.post(f"{P}/exports/{work_order_id}/retry", headers=world.headers)
    assert retry.status_code == 409
    assert retry.json()["code"] == "export_blocked"

    reopen = await api.post(f"/api/v1/work-orders/{work_order_id}/reopen", headers=world.headers)
    assert reopen.status_code == 200, reopen.text
    customer_id, _, address_id = world.customers[1]
    patched = await api.patch(
        f"/api/v1/work-orders/{work_order_id}",
        json={"customer_id": customer_id, "work_address_id": address_id},
        headers=world.headers,
    )
    assert patched.status_code == 200, patched.text
    await archive(api, world, work_order_id)

    export = await export_with_status(worker, world, work_order_id, "sent")
    assert export["archive_seq"] == 2
    found = await invoices(sandbox, world)
    assert [i["contact_id"] for i in found] == [world.customers[1][1]]


async def test_a_deleted_concept_invoice_is_found_by_check_then_reopened_and_sent_anew(
    export_stack: Stack, export_engine: AsyncEngine, http: Clients
) -> None:
    sandbox, api, worker = http.sandbox, http.api, http.worker
    world = await make_world(export_engine, sandbox, export_stack.token_key, "E2E Removed BV")
    work_order_id = await completed_work_order(api, world)
    await archive(api, world, work_order_id)

    export = await export_with_status(worker, world, work_order_id, "sent")
    # The office throws the concept invoice away in Rompslomp to start again.
    deleted = await sandbox.delete(
        f"/_sandbox/companies/{world.company_id}/sales_invoices/{export['rompslomp_invoice_id']}"
    )
    assert deleted.status_code == 204
    check = await worker.post(f"{P}/exports/{work_order_id}/check", headers=world.headers)
    assert (check.status_code, check.json()["status"]) == (200, "removed")
    removed = await worker.get(f"{P}/exports?status=removed", headers=world.headers)
    assert [e["work_order_id"] for e in removed.json()["items"]] == [work_order_id]

    reopen = await api.post(f"/api/v1/work-orders/{work_order_id}/reopen", headers=world.headers)
    assert reopen.status_code == 200, reopen.text
    await archive(api, world, work_order_id)

    export = await export_with_status(worker, world, work_order_id, "sent")
    (invoice,) = await invoices(sandbox, world)
    assert invoice["api_reference"] == f"simon-{world.tenant_id}-wo-{work_order_id}-2"
    assert invoice["id"] == export["rompslomp_invoice_id"]


async def test_a_tenant_throttled_for_an_hour_does_not_stall_another_tenants_invoice(
    export_stack: Stack, export_engine: AsyncEngine, http: Clients
) -> None:
    sandbox, api, worker = http.sandbox, http.api, http.worker
    a = await make_world(export_engine, sandbox, export_stack.token_key, "E2E Throttled A")
    b = await make_world(export_engine, sandbox, export_stack.token_key, "E2E Free B")
    waiting = [await completed_work_order(api, a) for _ in range(12)]
    b_order = await completed_work_order(api, b)
    throttle = {"throttle": [{"company_id": a.company_id, "retry_after": "3600"}]}
    assert (await sandbox.put("/_sandbox/faults", json=throttle)).status_code == 200
    try:
        await asyncio.gather(*(archive(api, a, work_order_id) for work_order_id in waiting))

        async def a_answered_429() -> Any:
            stats = (await sandbox.get("/_sandbox/stats")).json()
            return stats["by_status"].get("429")

        await wait_for(a_answered_429, "Rompslomp to throttle tenant A")
        await archive(api, b, b_order)
        archived = time.monotonic()

        # A functional deadline: B's invoice arrives while A's 12 exports wait an hour.
        while not await invoices(sandbox, b):
            assert time.monotonic() - archived < 5.0, "tenant B's invoice took over 5 s"
            await asyncio.sleep(0.05)
    finally:
        await sandbox.delete("/_sandbox/faults")
    assert await invoices(sandbox, a) == []
    statuses = [
        (await export_of(worker, a, work_order_id) or {}).get("status") for work_order_id in waiting
    ]
    assert set(statuses) <= {"pending", None}  # nothing in doubt: a 429 is certain
