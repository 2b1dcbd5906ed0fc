"""simon_api in-process over ASGI, on the rolled-back test session."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.deps import get_session
from services.simon_api.main import create_app
from services.simon_api.settings import SimonApiSettings
from shared.auth import issue_api_key
from shared.models import Employee, Integration
from shared.reader import SessionReader
from tests.conftest import TenantKey


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimonApiSettings(database_url="postgresql://unused/unused"))

    async def same_session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = same_session
    app.state.reader = SessionReader(session)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simon") as client:
        yield client


@pytest.fixture
async def other_office(make_tenant: Callable[..., Awaitable[TenantKey]]) -> TenantKey:
    return await make_tenant("Tenant B")


@pytest.fixture
def make_field_key(session: AsyncSession) -> Callable[[TenantKey], Awaitable[TenantKey]]:
    async def make(office: TenantKey) -> TenantKey:
        employee = Employee(
            tenant_id=office.tenant_id,
            name="Piet Monteur",
            email=f"piet{office.tenant_id}@example.nl",
            role="field",
        )
        session.add(employee)
        await session.flush()
        key = await issue_api_key(session, employee)
        await session.commit()
        return TenantKey(office.tenant_id, employee.id, key)

    return make


@pytest.fixture
async def field(
    office: TenantKey, make_field_key: Callable[[TenantKey], Awaitable[TenantKey]]
) -> TenantKey:
    return await make_field_key(office)


@pytest.fixture
def set_integration_state(session: AsyncSession) -> Callable[[int, str], Awaitable[None]]:
    async def set_state(tenant_id: int, state: str) -> None:
        await session.merge(Integration(tenant_id=tenant_id, state=state))
        await session.commit()

    return set_state


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


@pytest.fixture
def api(client: httpx.AsyncClient, office: TenantKey) -> Api:
    return Api(client, office)
