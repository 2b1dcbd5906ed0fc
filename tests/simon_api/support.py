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


METER_FORM: dict[str, Any] = {
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


# A JSON object as the API answers it.
Json = dict[str, Any]


class Api:
    """Small helpers over the client: create things, assert the status."""

    def __init__(self, client: httpx.AsyncClient, who: TenantKey) -> None:
        self.client = client
        self.who = who

    async def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        response = await self.client.post(f"/api/v1{path}", json=body, headers=self.who.headers)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def put(self, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.put(f"/api/v1{path}", json=body, headers=self.who.headers)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def created(self, path: str, body: Json | None = None, status: int = 201) -> Json:
        """POST that answers one object (the thing made, or the work order it changed)."""
        made = await self.post(path, body, status)
        assert isinstance(made, dict), made
        return made

    async def customer(self, **fields: Any) -> Json:
        return await self.created("/customers", {"name": "Bakkerij Jansen", **fields})

    async def article(self, **fields: Any) -> Json:
        body = {"code": "KB15", "description": "Koperen bocht 15 mm", "price": "2.35"}
        return await self.created("/articles", {**body, **fields})

    async def work_address(self, customer_id: int, **fields: Any) -> Json:
        body = {"customer_id": customer_id, "street": "Kerkstraat 5", "city": "Utrecht"}
        return await self.created("/work-addresses", {**body, **fields})

    async def planned_work_order(self, **fields: Any) -> Json:
        customer = await self.customer()
        address = await self.work_address(customer["id"])
        body = {
            "customer_id": customer["id"],
            "work_address_id": address["id"],
            "description": "Cv-ketel onderhoud",
            "assignee_id": self.who.employee_id,
            "planned_date": "2026-12-01",
        }
        return await self.created("/work-orders", {**body, **fields})

    async def template(self, **fields: Any) -> Json:
        return await self.created("/form-templates", {**METER_FORM, **fields})

    async def form(self, work_order_id: int, template_id: int) -> Json:
        return await self.created(
            f"/work-orders/{work_order_id}/forms", {"template_id": template_id}
        )

    async def completed_work_order(self) -> Json:
        work_order = await self.planned_work_order()
        await self.post(
            f"/work-orders/{work_order['id']}/time-entries", {"kind": "work", "minutes": 120}
        )
        return await self.created(f"/work-orders/{work_order['id']}/complete", status=200)
