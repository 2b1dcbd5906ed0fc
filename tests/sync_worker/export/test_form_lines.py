"""Issue 13 end to end inside the worker: a form answer marked `on_invoice` and the object
reach the invoice preview and the concept invoice."""

from __future__ import annotations

from decimal import Decimal

import httpx

from shared.models import (
    CustomerObject,
    FormTemplate,
    FormTemplateVersion,
    WorkOrder,
    WorkOrderForm,
)
from tests.sync_worker.export.support import Shop

P = "/api/v1/integration"
QUESTIONS = [
    {"key": "meterstand", "label": "Meterstand", "type": "number", "on_invoice": True},
    {"key": "gereinigd", "label": "Brander gereinigd", "type": "yes_no", "on_invoice": False},
]


async def fill_in(shop: Shop, work_order: WorkOrder) -> None:
    """What simon_api stores for an object and a filled form (tested there)."""
    boiler = CustomerObject(
        tenant_id=shop.tenant_id,
        customer_id=shop.customer_id,
        name="CV-ketel",
        brand="Remeha",
        model="Tzerra 24",
    )
    template = FormTemplate(tenant_id=shop.tenant_id, current_version=1)
    shop.session.add_all([boiler, template])
    await shop.session.flush()
    version = FormTemplateVersion(
        tenant_id=shop.tenant_id,
        template_id=template.id,
        version=1,
        name="Onderhoud",
        questions=QUESTIONS,
    )
    shop.session.add(version)
    await shop.session.flush()
    shop.session.add(
        WorkOrderForm(
            tenant_id=shop.tenant_id,
            work_order_id=work_order.id,
            template_version_id=version.id,
            answers={"meterstand": "12345", "gereinigd": True},
        )
    )
    work_order.object_id = boiler.id
    await shop.session.commit()


async def test_the_preview_shows_the_answer_line_and_names_the_object(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order(description="Onderhoud ketel")
    await fill_in(shop, work_order)

    body = (
        await client.get(
            f"{P}/work-orders/{work_order.id}/invoice-preview", headers=shop.key.headers
        )
    ).json()

    assert body["description"].endswith(", object: CV-ketel Remeha Tzerra 24")
    assert [line["description"] for line in body["lines"]][:3] == [
        "Onderhoud ketel",
        "Meterstand: 12345",
        "Arbeid monteur",
    ]
    assert body["lines"][1]["product_id"] is None
    assert body["would_send"] is True


async def test_the_concept_invoice_carries_the_answer_line(shop: Shop) -> None:
    work_order = await shop.work_order(description="Onderhoud ketel")
    await fill_in(shop, work_order)
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    assert invoice["description"] == (
        f"Werkbon {work_order.number}, werkadres Dorpsstraat 1, 3511 AB Utrecht, "
        "object: CV-ketel Remeha Tzerra 24"
    )
    assert [
        (line["description"], Decimal(str(line["quantity"])), line["product_id"])
        for line in invoice["invoice_lines"]
    ][:3] == [
        ("Onderhoud ketel", Decimal(1), None),
        ("Meterstand: 12345", Decimal(1), None),
        ("Arbeid monteur", Decimal(2), shop.products["work"]["id"]),
    ]
