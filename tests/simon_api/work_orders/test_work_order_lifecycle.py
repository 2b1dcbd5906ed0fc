"""R-EXPORT-1: created → planned → completed → archived, reopen, read-only once archived."""

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import IntegrationState
from shared.export_status import ExportStatus
from shared.models import InvoiceExport, OutboxEvent, WorkOrder
from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey


async def test_work_order_without_employee_and_date_is_created(api: Api) -> None:
    work_order = await api.post("/work-orders", {"description": "Lekkage"})
    assert work_order["status"] == "created"


async def test_work_order_with_employee_and_date_is_planned(api: Api) -> None:
    work_order = await api.planned_work_order()
    assert work_order["status"] == "planned"


async def test_numbers_are_readable_and_count_up_per_tenant(
    api: Api, client: httpx.AsyncClient, other_office: TenantKey
) -> None:
    first = await api.post("/work-orders", {"description": "een"})
    second = await api.post("/work-orders", {"description": "twee"})
    assert re.fullmatch(r"\d{4}-\d{5}", first["number"])
    year, n = first["number"].split("-")
    assert second["number"] == f"{year}-{int(n) + 1:05d}"
    response = await client.post(
        "/api/v1/work-orders", json={"description": "B"}, headers=other_office.headers
    )
    assert response.json()["number"] == f"{year}-00001"


async def test_planning_by_patch_moves_created_to_planned(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.post("/work-orders", {"description": "Lekkage"})
    response = await client.patch(
        f"/api/v1/work-orders/{work_order['id']}",
        json={"assignee_id": office.employee_id, "planned_date": "2026-12-02"},
        headers=office.headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "planned"


async def test_clearing_the_date_moves_planned_back_to_created(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    response = await client.patch(
        f"/api/v1/work-orders/{work_order['id']}",
        json={"planned_date": None},
        headers=office.headers,
    )
    assert response.json()["status"] == "created"


async def test_a_created_work_order_cannot_be_completed(api: Api) -> None:
    work_order = await api.post("/work-orders", {"description": "Lekkage"})
    problem = await api.post(f"/work-orders/{work_order['id']}/complete", status=409)
    assert problem["code"] == "not_planned"


async def test_completing_a_planned_work_order_sets_completed_at(api: Api) -> None:
    work_order = await api.planned_work_order()
    completed = await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    assert completed["status"] == "completed"
    assert completed["completed_at"] is not None


async def test_archive_is_refused_unless_completed(api: Api) -> None:
    work_order = await api.planned_work_order()
    problem = await api.post(f"/work-orders/{work_order['id']}/archive", status=409)
    assert problem["code"] == "not_completed"


async def test_archiving_a_completed_work_order(api: Api) -> None:
    work_order = await api.completed_work_order()
    archived = await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    assert archived["status"] == "archived"
    assert archived["archived_at"] is not None


async def test_archiving_an_archived_work_order_answers_it_unchanged_with_one_event(
    api: Api, session: AsyncSession
) -> None:
    work_order = await api.completed_work_order()
    first = await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    again = await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    assert again == first
    events = await session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.aggregate_id == work_order["id"])
    )
    assert events == 1
    archive_count = await session.scalar(
        select(WorkOrder.archive_count).where(WorkOrder.id == work_order["id"])
    )
    assert archive_count == 1


async def test_completing_a_completed_work_order_answers_it_unchanged(api: Api) -> None:
    work_order = await api.completed_work_order()
    again = await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    assert again == work_order


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"description": "changed"}),
        ("POST", "/time-entries", {"kind": "work", "minutes": 30}),
        ("POST", "/materials", None),
        ("PATCH", "/time-entries/{entry}", {"minutes": 45}),
        ("DELETE", "/time-entries/{entry}", None),
        ("POST", "/complete", None),
    ],
)
async def test_an_archived_work_order_is_read_only(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    method: str,
    suffix: str,
    body: Json | None,
) -> None:
    work_order = await api.completed_work_order()
    entry = work_order["time_entries"][0]["id"]
    if suffix == "/materials":
        article = await api.article()
        body = {"article_id": article["id"], "quantity": "1"}
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    path = f"/api/v1/work-orders/{work_order['id']}{suffix.format(entry=entry)}"
    response = await client.request(method, path, json=body, headers=office.headers)
    assert response.status_code == 409
    assert response.json()["code"] in ("work_order_archived", "not_planned")


async def test_office_corrects_hours_of_a_completed_work_order(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.completed_work_order()
    entry = work_order["time_entries"][0]["id"]
    response = await client.patch(
        f"/api/v1/work-orders/{work_order['id']}/time-entries/{entry}",
        json={"minutes": 90},
        headers=office.headers,
    )
    assert response.status_code == 200
    assert response.json()["minutes"] == 90


async def test_field_employee_cannot_change_a_completed_work_order(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    work_order = await api.completed_work_order()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "work", "minutes": 10},
        headers=field.headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "office_only"


async def test_reopening_a_completed_work_order_makes_it_planned(api: Api) -> None:
    work_order = await api.completed_work_order()
    reopened = await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    assert reopened["status"] == "planned"
    assert reopened["completed_at"] is None


async def test_reopening_a_planned_work_order_is_refused(api: Api) -> None:
    work_order = await api.planned_work_order()
    problem = await api.post(f"/work-orders/{work_order['id']}/reopen", status=409)
    assert problem["code"] == "not_completed"


async def _archived(api: Api) -> Json:
    work_order = await api.completed_work_order()
    return await api.created(f"/work-orders/{work_order['id']}/archive", status=200)


async def _export(
    session: AsyncSession, office: TenantKey, work_order: Json, status: ExportStatus
) -> None:
    session.add(
        InvoiceExport(
            tenant_id=office.tenant_id,
            work_order_id=work_order["id"],
            status=status,
            api_reference=f"simon-{work_order['id']}",
        )
    )
    await session.commit()


async def test_reopening_an_archived_work_order_without_integration(api: Api) -> None:
    work_order = await _archived(api)
    reopened = await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    assert reopened["status"] == "completed"
    assert reopened["archived_at"] is None


@pytest.mark.parametrize(
    "export_status", [ExportStatus.FAILED, ExportStatus.SKIPPED, ExportStatus.REMOVED]
)
async def test_reopening_is_allowed_when_the_export_failed_was_skipped_or_its_invoice_deleted(
    api: Api,
    session: AsyncSession,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    export_status: ExportStatus,
) -> None:
    work_order = await _archived(api)
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    await _export(session, office, work_order, export_status)
    reopened = await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    assert reopened["status"] == "completed"


@pytest.mark.parametrize("state", [IntegrationState.INACTIVE, IntegrationState.NEEDS_RECONNECT])
async def test_reopening_is_allowed_while_an_inactive_integration_holds_the_export_pending(
    api: Api,
    session: AsyncSession,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    state: IntegrationState,
) -> None:
    work_order = await _archived(api)
    await set_integration_state(office.tenant_id, state)
    await _export(session, office, work_order, ExportStatus.PENDING)
    reopened = await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    assert reopened["status"] == "completed"


@pytest.mark.parametrize("export_status", [ExportStatus.SENDING, ExportStatus.UNKNOWN])
async def test_reopening_is_refused_while_a_send_is_in_doubt_even_when_inactive(
    api: Api,
    session: AsyncSession,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    export_status: ExportStatus,
) -> None:
    work_order = await _archived(api)
    await set_integration_state(office.tenant_id, IntegrationState.INACTIVE)
    await _export(session, office, work_order, export_status)
    problem = await api.post(f"/work-orders/{work_order['id']}/reopen", status=409)
    assert problem["code"] == "export_pending"


async def test_reopening_is_refused_once_a_concept_invoice_exists(
    api: Api,
    session: AsyncSession,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
) -> None:
    work_order = await _archived(api)
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    await _export(session, office, work_order, ExportStatus.SENT)
    problem = await api.post(f"/work-orders/{work_order['id']}/reopen", status=409)
    assert problem["code"] == "invoice_exists"


@pytest.mark.parametrize(
    "export_status", [None, ExportStatus.PENDING, ExportStatus.SENDING, ExportStatus.UNKNOWN]
)
async def test_reopening_is_refused_while_the_export_is_under_way(
    api: Api,
    session: AsyncSession,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    export_status: ExportStatus | None,
) -> None:
    work_order = await _archived(api)
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    if export_status:
        await _export(session, office, work_order, export_status)
    problem = await api.post(f"/work-orders/{work_order['id']}/reopen", status=409)
    assert problem["code"] == "export_pending"
    status = await session.scalar(
        select(InvoiceExport.status).where(InvoiceExport.work_order_id == work_order["id"])
    )
    assert status == export_status


async def test_reopened_and_archived_again_counts_a_second_archive(
    api: Api, session: AsyncSession
) -> None:
    work_order = await _archived(api)
    await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    again = await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    assert again["status"] == "archived"


async def test_work_address_of_another_customer_is_refused(api: Api) -> None:
    first = await api.customer(name="Eerste")
    second = await api.customer(name="Tweede")
    address = await api.work_address(second["id"])
    problem = await api.post(
        "/work-orders",
        {"customer_id": first["id"], "work_address_id": address["id"], "description": "x"},
        status=422,
    )
    assert problem["code"] == "work_address_mismatch"
    assert problem["errors"][0]["field"] == "work_address_id"


async def test_changing_the_customer_away_from_the_work_address_is_refused(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    other = await api.customer(name="Ander")
    response = await client.patch(
        f"/api/v1/work-orders/{work_order['id']}",
        json={"customer_id": other["id"]},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "work_address_mismatch"


async def test_work_address_alone_sets_its_customer(api: Api) -> None:
    customer = await api.customer()
    address = await api.work_address(customer["id"])
    work_order = await api.post(
        "/work-orders", {"work_address_id": address["id"], "description": "x"}
    )
    assert work_order["customer_id"] == customer["id"]


async def test_material_price_defaults_to_the_article_price(api: Api) -> None:
    work_order = await api.planned_work_order()
    article = await api.article(price="12.5")
    material = await api.post(
        f"/work-orders/{work_order['id']}/materials",
        {"article_id": article["id"], "quantity": "2.5"},
    )
    assert material["unit_price"] == "12.50"
    assert material["quantity"] == "2.5"


async def test_a_booked_material_price_is_kept(api: Api) -> None:
    work_order = await api.planned_work_order()
    article = await api.article(price="12.50")
    material = await api.post(
        f"/work-orders/{work_order['id']}/materials",
        {"article_id": article["id"], "quantity": "1", "unit_price": "9.99"},
    )
    assert material["unit_price"] == "9.99"


async def test_time_entry_defaults_to_the_caller_and_today(api: Api, office: TenantKey) -> None:
    work_order = await api.planned_work_order()
    entry = await api.post(
        f"/work-orders/{work_order['id']}/time-entries", {"kind": "travel", "minutes": 15}
    )
    assert entry["employee_id"] == office.employee_id
    assert entry["date"] is not None


async def test_work_order_shows_its_lines(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.completed_work_order()
    response = await client.get(f"/api/v1/work-orders/{work_order['id']}", headers=office.headers)
    body = response.json()
    assert [(e["kind"], e["minutes"]) for e in body["time_entries"]] == [("work", 120)]


async def test_list_and_single_views_match_the_documented_schema(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    from shared.work_order_view import WorkOrderOut

    work_order = await api.completed_work_order()
    article = await api.article(price="7")
    await api.post(
        f"/work-orders/{work_order['id']}/materials",
        {"article_id": article["id"], "quantity": "1.5"},
    )
    single = (
        await client.get(f"/api/v1/work-orders/{work_order['id']}", headers=office.headers)
    ).json()
    listed = (await client.get("/api/v1/work-orders", headers=office.headers)).json()["items"]
    assert [w for w in listed if w["id"] == work_order["id"]] == [single]
    WorkOrderOut.model_validate(single)
    assert single["materials"][0]["quantity"] == "1.5"
    assert single["materials"][0]["unit_price"] == "7.00"
