"""A work order's contact person and object: the customer's own, shown in the body."""

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import ContactPerson
from shared.work_order_view import refresh_detached_views
from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey

# Each customer's name → the customer, its contact person and its object.
Records = dict[str, tuple[Json, Json, Json]]


@pytest.fixture
async def customer_records(api: Api) -> Records:
    """Two customers, each with a contact person and an object."""
    records: Records = {}
    for name in ("Jansen", "Pietersen"):
        customer = await api.customer(name=name)
        person = await api.post(
            "/contact-persons", {"customer_id": customer["id"], "name": f"Mevr. {name}"}
        )
        boiler = await api.post(
            "/objects", {"customer_id": customer["id"], "name": "CV-ketel", "brand": "Remeha"}
        )
        records[name] = (customer, person, boiler)
    return records


async def test_the_body_shows_the_contact_person_and_object(
    api: Api, client: httpx.AsyncClient, office: TenantKey, customer_records: Records
) -> None:
    customer, person, boiler = customer_records["Jansen"]
    created = await api.post(
        "/work-orders",
        {
            "customer_id": customer["id"],
            "contact_person_id": person["id"],
            "object_id": boiler["id"],
            "description": "Onderhoud",
        },
    )
    assert (created["contact_person_id"], created["object_id"]) == (person["id"], boiler["id"])
    assert created["signature"] is None
    listed = await client.get("/api/v1/work-orders", headers=office.headers)
    [item] = [w for w in listed.json()["items"] if w["id"] == created["id"]]
    assert item == created


@pytest.mark.parametrize(("field", "index"), [("contact_person_id", 1), ("object_id", 2)])
async def test_a_record_of_another_customer_is_a_422_naming_the_field(
    api: Api, customer_records: Records, field: str, index: int
) -> None:
    customer = customer_records["Jansen"][0]
    other = customer_records["Pietersen"][index]
    problem = await api.post(
        "/work-orders",
        {"customer_id": customer["id"], field: other["id"], "description": "x"},
        status=422,
    )
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["code"] == f"{field.removesuffix('_id')}_mismatch"


@pytest.mark.parametrize("field", ["contact_person_id", "object_id"])
async def test_an_unknown_record_is_a_422_naming_the_field(api: Api, field: str) -> None:
    problem = await api.post("/work-orders", {field: 999999999, "description": "x"}, status=422)
    assert [e["field"] for e in problem["errors"]] == [field]


async def test_a_contact_person_alone_sets_the_customer(
    api: Api, customer_records: Records
) -> None:
    customer, person, _ = customer_records["Pietersen"]
    created = await api.post(
        "/work-orders", {"contact_person_id": person["id"], "description": "x"}
    )
    assert created["customer_id"] == customer["id"]


async def test_changing_the_customer_away_from_the_object_is_refused(
    api: Api, client: httpx.AsyncClient, office: TenantKey, customer_records: Records
) -> None:
    customer, _, boiler = customer_records["Jansen"]
    created = await api.post(
        "/work-orders",
        {"customer_id": customer["id"], "object_id": boiler["id"], "description": "x"},
    )
    other = customer_records["Pietersen"][0]
    response = await client.patch(
        f"/api/v1/work-orders/{created['id']}",
        json={"customer_id": other["id"]},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "object_id"
    moved = await client.patch(
        f"/api/v1/work-orders/{created['id']}",
        json={"customer_id": other["id"], "object_id": customer_records["Pietersen"][2]["id"]},
        headers=office.headers,
    )
    assert moved.status_code == 200


async def test_patch_sets_and_clears_the_contact_person(
    api: Api, client: httpx.AsyncClient, office: TenantKey, customer_records: Records
) -> None:
    customer, person, _ = customer_records["Jansen"]
    created = await api.post("/work-orders", {"customer_id": customer["id"], "description": "x"})
    path = f"/api/v1/work-orders/{created['id']}"
    set_ = await client.patch(
        path, json={"contact_person_id": person["id"]}, headers=office.headers
    )
    assert set_.json()["contact_person_id"] == person["id"]
    cleared = await client.patch(path, json={"contact_person_id": None}, headers=office.headers)
    assert cleared.json()["contact_person_id"] is None


@pytest.mark.parametrize(("path", "index"), [("/contact-persons", 1), ("/objects", 2)])
async def test_a_record_a_work_order_uses_cannot_be_deleted(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    customer_records: Records,
    path: str,
    index: int,
) -> None:
    customer, *_ = customer_records["Jansen"]
    record = customer_records["Jansen"][index]
    field = "contact_person_id" if index == 1 else "object_id"
    await api.post(
        "/work-orders", {"customer_id": customer["id"], field: record["id"], "description": "x"}
    )
    response = await client.delete(f"/api/v1{path}/{record['id']}", headers=office.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "in_use"


async def test_a_wiped_contact_person_leaves_the_work_order_without_one(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    session: AsyncSession,
    customer_records: Records,
) -> None:
    """The wipe deletes a customer's records in bulk, then writes the API views of the work
    orders the database changed under it (ON DELETE SET NULL) again."""
    customer, person, _ = customer_records["Jansen"]
    created = await api.post(
        "/work-orders",
        {"customer_id": customer["id"], "contact_person_id": person["id"], "description": "x"},
    )
    await session.execute(delete(ContactPerson).where(ContactPerson.id == person["id"]))
    await refresh_detached_views(session, office.tenant_id)
    await session.commit()
    shown = await client.get(f"/api/v1/work-orders/{created['id']}", headers=office.headers)
    assert shown.json()["contact_person_id"] is None
