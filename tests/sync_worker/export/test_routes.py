"""Invoice preview, the exports list and resending a failed export, over HTTP in process."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from shared.auth import issue_api_key
from shared.enums import Role
from shared.models import Employee
from tests.support.tenants import TenantKey
from tests.sync_worker.export.support import Shop

P = "/api/v1/integration"


async def preview(client: httpx.AsyncClient, shop: Shop, work_order_id: int) -> Any:
    answer = await client.get(
        f"{P}/work-orders/{work_order_id}/invoice-preview", headers=shop.key.headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_preview_shows_the_lines_an_unarchived_work_order_would_produce(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order(description="Lekkage keuken")
    await shop.session.commit()

    answer = await client.get(
        f"{P}/work-orders/{work_order.id}/invoice-preview", headers=shop.key.headers
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["would_send"] is True
    assert body["problems"] == []
    assert body["description"].startswith(f"Werkbon {work_order.number}, werkadres")
    assert [
        (line["description"], line["quantity"], line["price_per_unit"], line["product_id"])
        for line in body["lines"]
    ] == [
        ("Lekkage keuken", "1", "0.00", None),
        ("Arbeid monteur", "2", "65.00", shop.products["work"]["id"]),
        ("Reistijd", "0.25", "45.50", shop.products["travel"]["id"]),
        ("Knelkoppeling 15 mm", "2", "2.35", shop.products["knel"]["id"]),
        ("Thermostaatkraan", "1", "19.95", shop.products["kraan"]["id"]),
    ]
    assert await shop.invoices() == []  # a preview sends nothing


async def test_the_preview_names_blocking_problems(client: httpx.AsyncClient, shop: Shop) -> None:
    work_order = await shop.work_order(customer=False, description="Garantie: lekkage")
    await shop.session.commit()

    body = await preview(client, shop, work_order.id)

    assert body["would_send"] is False
    assert [p["code"] for p in body["problems"]] == ["filter_word", "no_customer"]
    assert all(p["message"] and p["action"] for p in body["problems"])


async def test_the_preview_names_a_customer_deleted_in_rompslomp_and_an_inactive_integration(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/contacts/{shop.contact_id}")
    await shop.session.execute(
        text("UPDATE integrations SET state = 'inactive' WHERE tenant_id = :t"),
        {"t": shop.tenant_id},
    )
    work_order = await shop.work_order()
    await shop.session.commit()

    body = await preview(client, shop, work_order.id)

    assert body["would_send"] is False
    assert [p["code"] for p in body["problems"]] == ["integration_not_active", "customer_gone"]


async def test_another_tenants_work_order_is_not_found_on_every_export_endpoint(
    client: httpx.AsyncClient, shop: Shop, office: TenantKey
) -> None:
    work_order = await shop.work_order(customer=False)
    assert await shop.export(await shop.archive(work_order)) == "failed"

    preview = await client.get(
        f"{P}/work-orders/{work_order.id}/invoice-preview", headers=office.headers
    )
    retry = await client.post(f"{P}/exports/{work_order.id}/retry", headers=office.headers)
    check = await client.post(f"{P}/exports/{work_order.id}/check", headers=office.headers)
    listing = await client.get(f"{P}/exports", headers=office.headers)

    assert (preview.status_code, retry.status_code, check.status_code) == (404, 404, 404)
    assert listing.json()["items"] == []


async def test_a_field_employee_may_not_use_the_export_endpoints(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    employee = Employee(
        tenant_id=shop.tenant_id, name="Piet", email=f"piet{shop.tenant_id}@x.nl", role=Role.FIELD
    )
    shop.session.add(employee)
    await shop.session.flush()
    headers = {"Authorization": f"Bearer {await issue_api_key(shop.session, employee)}"}
    await shop.session.commit()

    for method, path in (
        ("GET", f"{P}/exports"),
        ("GET", f"{P}/work-orders/1/invoice-preview"),
        ("POST", f"{P}/exports/1/retry"),
        ("POST", f"{P}/exports/1/check"),
    ):
        answer = await client.request(method, path, headers=headers)
        assert answer.status_code == 403, path
        assert answer.json()["code"] == "office_only"


async def test_exports_are_listed_by_status_and_paged_by_cursor(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    sent, failed, skipped = (
        await shop.work_order(),
        await shop.work_order(customer=False),
        await shop.work_order(description="garantie"),
    )
    for work_order in (sent, failed, skipped):
        await shop.export(await shop.archive(work_order))

    failed_only = await client.get(f"{P}/exports?status=failed", headers=shop.key.headers)
    assert [e["work_order_id"] for e in failed_only.json()["items"]] == [failed.id]
    assert failed_only.json()["items"][0]["last_error"]

    first = (await client.get(f"{P}/exports?limit=2", headers=shop.key.headers)).json()
    assert [e["status"] for e in first["items"]] == ["skipped", "failed"]
    rest = (
        await client.get(
            f"{P}/exports?limit=2&cursor={first['next_cursor']}", headers=shop.key.headers
        )
    ).json()
    assert [(e["status"], e["number"]) for e in rest["items"]] == [("sent", sent.number)]
    assert rest["next_cursor"] is None


async def test_bad_list_parameters_answer_422_with_the_field(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    for query, field in (
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=nonsense", "cursor"),
    ):
        answer = await client.get(f"{P}/exports?{query}", headers=shop.key.headers)
        assert answer.status_code == 422, query
        assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_ids_beyond_the_database_range_answer_422_naming_the_id(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    huge, zero = 2**63, 0
    for method, path in (
        ("GET", f"{P}/work-orders/{huge}/invoice-preview"),
        ("POST", f"{P}/exports/{huge}/retry"),
        ("GET", f"{P}/work-orders/{zero}/invoice-preview"),
        ("POST", f"{P}/exports/{zero}/retry"),
        ("POST", f"{P}/exports/{huge}/check"),
    ):
        answer = await client.request(method, path, headers=shop.key.headers)
        assert answer.status_code == 422, path
        assert [e["field"] for e in answer.json()["errors"]] == ["work_order_id"], path


async def test_retry_requeues_a_failed_export_that_the_settings_caused(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_id = shop.products["work"]["id"]
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/products/{work_id}")
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "failed"
    settings = await shop.settings()
    settings.work_time_product = None  # the user fixed the settings
    await shop.session.commit()

    answer = await client.post(f"{P}/exports/{work_order.id}/retry", headers=shop.key.headers)

    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "pending"
    queued = await shop.session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
            " AND lock = :lock AND (args->>'event_id')::bigint = :event_id"
        ),
        {"lock": f"export:{shop.tenant_id}:{work_order.id}", "event_id": event_id},
    )
    assert queued == 1
    assert await shop.export(event_id) == "sent"
    assert len(await shop.invoices()) == 1


async def test_retry_is_refused_unless_the_export_failed(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    sent = await shop.work_order()
    assert await shop.export(await shop.archive(sent)) == "sent"
    never = await shop.work_order()
    await shop.session.commit()

    conflict = await client.post(f"{P}/exports/{sent.id}/retry", headers=shop.key.headers)
    missing = await client.post(f"{P}/exports/{never.id}/retry", headers=shop.key.headers)
    unknown = await client.post(f"{P}/exports/999999999/retry", headers=shop.key.headers)

    assert (conflict.status_code, conflict.json()["code"]) == (409, "export_not_failed")
    assert missing.status_code == 404
    assert unknown.status_code == 404


async def test_retry_of_a_failure_the_work_order_causes_asks_to_reopen(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order(customer=False)
    assert await shop.export(await shop.archive(work_order)) == "failed"

    answer = await client.post(f"{P}/exports/{work_order.id}/retry", headers=shop.key.headers)

    assert (answer.status_code, answer.json()["code"]) == (409, "export_blocked")
