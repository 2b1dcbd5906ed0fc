"""Helpers for simon_api's tests (plain code, no fixtures): a signature as a phone makes it,
a form template with every kind of question, and `Api`, small helpers over the client."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from PIL import Image, ImageDraw

from tests.support.tenants import TenantKey


def signature_png(width: int = 360, height: int = 120) -> bytes:
    """A signature as a phone's signature pad makes it: dark strokes on transparent."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    pen.line([(20, 90), (80, 20), (140, 95), (200, 25), (260, 90), (330, 40)], fill="#123", width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def signature_body(name: str = "J. Jansen", png: bytes | None = None) -> dict[str, str]:
    return {"name": name, "image": base64.b64encode(png or signature_png()).decode()}


METER_FORM = {
    "name": "Onderhoud cv-ketel",
    "questions": [
        {"key": "meterstand", "label": "Meterstand", "type": "number", "on_invoice": True},
        {"key": "gereinigd", "label": "Brander gereinigd", "type": "yes_no", "required": True},
        {
            "key": "toestand",
            "label": "Toestand",
            "type": "choice",
            "options": ["goed", "matig", "slecht"],
        },
        {
            "key": "onderdelen",
            "label": "Vervangen onderdelen",
            "type": "multi_choice",
            "options": ["pakking", "elektrode", "expansievat"],
        },
        {"key": "volgende_beurt", "label": "Volgende beurt", "type": "date"},
        {"key": "opmerking", "label": "Opmerking", "type": "text"},
    ],
}


class Api:
    """Small helpers over the client: create things, assert the status."""

    def __init__(self, client: httpx.AsyncClient, who: TenantKey) -> None:
        self.client = client
        self.who = who

    async def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        response = await self.client.post(f"/api/v1{path}", json=body, headers=self.who.headers)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def customer(self, **fields: Any) -> Any:
        return await self.post("/customers", {"name": "Bakkerij Jansen", **fields})

    async def article(self, **fields: Any) -> Any:
        body = {"code": "KB15", "description": "Koperen bocht 15 mm", "price": "2.35"}
        return await self.post("/articles", {**body, **fields})

    async def work_address(self, customer_id: int, **fields: Any) -> Any:
        body = {"customer_id": customer_id, "street": "Kerkstraat 5", "city": "Utrecht"}
        return await self.post("/work-addresses", {**body, **fields})

    async def planned_work_order(self, **fields: Any) -> Any:
        customer = await self.customer()
        address = await self.work_address(customer["id"])
        body = {
            "customer_id": customer["id"],
            "work_address_id": address["id"],
            "description": "Cv-ketel onderhoud",
            "assignee_id": self.who.employee_id,
            "planned_date": "2026-12-01",
        }
        return await self.post("/work-orders", {**body, **fields})

    async def put(self, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.put(f"/api/v1{path}", json=body, headers=self.who.headers)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def template(self, **fields: Any) -> Any:
        return await self.post("/form-templates", {**METER_FORM, **fields})

    async def form(self, work_order_id: int, template_id: int) -> Any:
        return await self.post(f"/work-orders/{work_order_id}/forms", {"template_id": template_id})

    async def completed_work_order(self) -> Any:
        work_order = await self.planned_work_order()
        await self.post(
            f"/work-orders/{work_order['id']}/time-entries", {"kind": "work", "minutes": 120}
        )
        return await self.post(f"/work-orders/{work_order['id']}/complete", status=200)
