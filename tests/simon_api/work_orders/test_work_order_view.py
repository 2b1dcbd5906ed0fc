"""The work order's JSON has one definition, `WorkOrderOut`: after every kind of write, the
body a write answers, `GET /work-orders/{id}` and the list's item are `WorkOrderOut` of the
rows as they now stand (the stored `api_view` is never stale)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import Material, TimeEntry, WorkOrder, WorkOrderSignature
from shared.wipe import wipe
from shared.work_order_view import (
    MaterialOut,
    SignatureSummary,
    TimeEntryOut,
    WorkOrderOut,
    refresh_tenant_views,
)
from tests.simon_api.support import Api, signature_body

PARTS = {"time_entries", "materials", "signature"}


async def documented(session: AsyncSession, work_order_id: int) -> dict[str, Any]:
    """`WorkOrderOut` of the rows, read through the ORM (not through the view's writer)."""
    work_order = await session.get(WorkOrder, work_order_id, populate_existing=True)
    assert work_order is not None
    entries = await session.scalars(
        select(TimeEntry)
        .where(TimeEntry.work_order_id == work_order_id)
        .order_by(TimeEntry.id)
        .execution_options(populate_existing=True)
    )
    materials = await session.scalars(
        select(Material)
        .where(Material.work_order_id == work_order_id)
        .order_by(Material.id)
        .execution_options(populate_existing=True)
    )
    signature = await session.scalar(
        select(WorkOrderSignature)
        .where(WorkOrderSignature.work_order_id == work_order_id)
        .execution_options(populate_existing=True)
    )
    body = WorkOrderOut(
        **{
            name: getattr(work_order, name)
            for name in WorkOrderOut.model_fields
            if name not in PARTS
        },
        time_entries=[TimeEntryOut.model_validate(entry) for entry in entries],
        materials=[MaterialOut.model_validate(material) for material in materials],
        signature=SignatureSummary(name=signature.name, signed_at=signature.signed_at)
        if signature is not None
        else None,
    )
    return body.model_dump(mode="json")


async def shown(api: Api, work_order_id: int) -> tuple[Any, Any]:
    """The work order as GET shows it alone and in the list."""
    single = await api.client.get(f"/api/v1/work-orders/{work_order_id}", headers=api.who.headers)
    assert single.status_code == 200, single.text
    page = await api.client.get("/api/v1/work-orders?limit=200", headers=api.who.headers)
    listed = [item for item in page.json()["items"] if item["id"] == work_order_id]
    return single.json(), listed


async def _started(api: Api) -> Any:
    work_order = await api.planned_work_order()
    path = f"/work-orders/{work_order['id']}"
    await api.post(f"{path}/time-entries", {"kind": "work", "minutes": 120})
    article = await api.article(price="2.5")
    await api.post(f"{path}/materials", {"article_id": article["id"], "quantity": "2"})
    return work_order


async def _line(api: Api, work_order: Any, kind: str) -> Any:
    detail = await api.client.get(
        f"/api/v1/work-orders/{work_order['id']}", headers=api.who.headers
    )
    return detail.json()[kind][0]


async def _patch(api: Api, path: str, body: Any) -> Any:
    response = await api.client.patch(f"/api/v1{path}", json=body, headers=api.who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _delete(api: Api, path: str) -> None:
    response = await api.client.delete(f"/api/v1{path}", headers=api.who.headers)
    assert response.status_code == 204, response.text


async def create(api: Api, _: Any) -> Any:
    return await api.planned_work_order()


async def update(api: Api, work_order: Any) -> Any:
    return await _patch(
        api,
        f"/work-orders/{work_order['id']}",
        {"description": "Expansievat vervangen", "planned_date": None},
    )


async def complete(api: Api, work_order: Any) -> Any:
    return await api.post(f"/work-orders/{work_order['id']}/complete", status=200)


async def archive(api: Api, work_order: Any) -> Any:
    await complete(api, work_order)
    return await api.post(f"/work-orders/{work_order['id']}/archive", status=200)


async def reopen_archived(api: Api, work_order: Any) -> Any:
    await archive(api, work_order)
    return await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)


async def reopen_completed(api: Api, work_order: Any) -> Any:
    await complete(api, work_order)
    return await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)


async def add_time_entry(api: Api, work_order: Any) -> None:
    await api.post(
        f"/work-orders/{work_order['id']}/time-entries",
        {"kind": "travel", "minutes": 15, "date": "2026-12-02"},
    )


async def update_time_entry(api: Api, work_order: Any) -> None:
    entry = await _line(api, work_order, "time_entries")
    await _patch(
        api,
        f"/work-orders/{work_order['id']}/time-entries/{entry['id']}",
        {"kind": "travel", "minutes": 45},
    )


async def delete_time_entry(api: Api, work_order: Any) -> None:
    entry = await _line(api, work_order, "time_entries")
    await _delete(api, f"/work-orders/{work_order['id']}/time-entries/{entry['id']}")


async def add_material(api: Api, work_order: Any) -> None:
    article = await api.article(code="KB22", price="3.10")
    await api.post(
        f"/work-orders/{work_order['id']}/materials",
        {"article_id": article["id"], "quantity": "1.5", "unit_price": "2.999"},
    )


async def update_material(api: Api, work_order: Any) -> None:
    material = await _line(api, work_order, "materials")
    await _patch(
        api,
        f"/work-orders/{work_order['id']}/materials/{material['id']}",
        {"quantity": "7.25", "unit_price": "100"},
    )


async def delete_material(api: Api, work_order: Any) -> None:
    material = await _line(api, work_order, "materials")
    await _delete(api, f"/work-orders/{work_order['id']}/materials/{material['id']}")


async def sign(api: Api, work_order: Any) -> None:
    await api.put(f"/work-orders/{work_order['id']}/signature", signature_body())


Write = Callable[[Api, Any], Awaitable[Any]]
WRITES: dict[str, Write] = {
    "create": create,
    "update": update,
    "complete": complete,
    "archive": archive,
    "reopen_archived": reopen_archived,
    "reopen_completed": reopen_completed,
    "add_time_entry": add_time_entry,
    "update_time_entry": update_time_entry,
    "delete_time_entry": delete_time_entry,
    "add_material": add_material,
    "update_material": update_material,
    "delete_material": delete_material,
    "sign": sign,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_after_each_kind_of_write_the_bodies_are_the_documented_work_order(
    api: Api, session: AsyncSession, write: Write
) -> None:
    work_order = await _started(api)
    answered = await write(api, work_order)
    work_order_id = answered["id"] if isinstance(answered, dict) else work_order["id"]
    expected = await documented(session, work_order_id)
    single, listed = await shown(api, work_order_id)
    assert single == expected
    assert listed == [expected]
    if isinstance(answered, dict):  # a write on the work order itself answers it
        assert answered == expected


@pytest.mark.parametrize("table", ["contact_person", "object"])
async def test_a_wipe_of_contact_persons_or_objects_writes_the_kept_work_orders_views_again(
    api: Api, session: AsyncSession, table: str
) -> None:
    customer = await api.customer()
    person = await api.post("/contact-persons", {"customer_id": customer["id"], "name": "Mevr. J"})
    boiler = await api.post("/objects", {"customer_id": customer["id"], "name": "CV-ketel"})
    work_order = await api.post(
        "/work-orders",
        {
            "customer_id": customer["id"],
            "contact_person_id": person["id"],
            "object_id": boiler["id"],
            "description": "Onderhoud",
        },
    )
    untouched = await api.planned_work_order()
    await wipe(session, api.who.tenant_id, [table])
    await session.commit()
    expected = await documented(session, work_order["id"])
    assert expected[f"{table}_id"] is None
    single, listed = await shown(api, work_order["id"])
    assert (single, listed) == (expected, [expected])
    assert (await shown(api, untouched["id"]))[0] == await documented(session, untouched["id"])


async def test_refreshing_a_tenants_views_writes_every_work_order_as_documented(
    api: Api, session: AsyncSession
) -> None:
    first, second = await _started(api), await api.planned_work_order()
    await session.execute(
        update_rows(WorkOrder)
        .where(WorkOrder.tenant_id == api.who.tenant_id)
        .values(api_view=None)
        .execution_options(synchronize_session=False)
    )
    assert await refresh_tenant_views(session, api.who.tenant_id) == 2
    for work_order in (first, second):
        single, listed = await shown(api, work_order["id"])
        assert (single, listed) == (await documented(session, work_order["id"]), [single])
