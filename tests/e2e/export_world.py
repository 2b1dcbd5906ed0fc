"""Set-up for export tests and benchmarks on real processes: a tenant with an active
integration on its own sandbox administration, in seconds.

The activation wizard itself is proven by test_wizard.py; here a tenant is made active the
way the wizard leaves it: an administration with contacts and products in the sandbox, a
token pair minted by the sandbox and stored encrypted, settings with resolved products,
`integrations.state = 'active'`, and customers/articles as the master-data sync writes
them (source 'rompslomp', `rompslomp_id` = the sandbox id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.sync_worker.rompslomp import TokenSet
from services.sync_worker.rompslomp.connection import store_tokens
from shared.auth import create_tenant
from shared.enums import IntegrationState, RecordSource
from shared.models import Article, Customer, Integration, IntegrationSettings, WorkAddress

SCOPES = "public manage:contacts manage:sales_invoices manage:products"
W = "/api/v1/work-orders"


@dataclass
class Product:
    id: int
    code: str
    description: str
    price: Decimal
    vat_type_id: int | None


@dataclass
class World:
    tenant_id: int
    employee_id: int
    api_key: str
    company_id: int
    work: Product
    travel: Product
    materials: list[Product]
    customers: list[tuple[int, int, int]] = field(default_factory=list)  # (id, contact, address)
    articles: list[int] = field(default_factory=list)  # Simon ids, same order as materials

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def _product(sandbox: httpx.AsyncClient, company: int, **line: Any) -> Product:
    answer = await sandbox.post(f"/_sandbox/companies/{company}/products", json=line)
    answer.raise_for_status()
    body = answer.json()["product"]
    invoice_line = body["invoice_line"]
    return Product(
        id=body["id"],
        code=invoice_line["product_code"],
        description=invoice_line["description"],
        price=Decimal(str(invoice_line["price_per_unit"])),
        vat_type_id=invoice_line.get("vat_type_id"),
    )


def _product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "product_code": product.code,
        "description": product.description,
        "price_per_unit": str(product.price),
    }


async def make_world(
    engine: AsyncEngine,
    sandbox: httpx.AsyncClient,
    token_key: str,
    name: str,
    *,
    customers: int = 2,
    filter_word: str | None = "garantie",
    description_as_first_line: bool = True,
) -> World:
    company = (await sandbox.post("/_sandbox/companies", json={"name": name})).json()["company"]
    company_id = company["id"]
    work = await _product(sandbox, company_id, description="Arbeid monteur", price_per_unit="65.00")
    travel = await _product(sandbox, company_id, description="Reistijd", price_per_unit="45.50")
    materials = [
        await _product(
            sandbox, company_id, description="Knelkoppeling 15 mm", price_per_unit="2.35"
        ),
        await _product(sandbox, company_id, description="Thermostaatkraan", price_per_unit="24.95"),
    ]
    contacts = []
    for n in range(customers):
        answer = await sandbox.post(
            f"/_sandbox/companies/{company_id}/contacts",
            json={"company_name": f"{name} klant {n}", "is_individual": False},
        )
        answer.raise_for_status()
        contacts.append(answer.json()["contact"]["id"])
    pair = (await sandbox.post("/_sandbox/tokens", json={"scopes": SCOPES})).json()
    now = dt.datetime.now(dt.UTC)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        tenant, employee, api_key = await create_tenant(session, name)
        world = World(tenant.id, employee.id, api_key, company_id, work, travel, materials)
        await store_tokens(
            session,
            tenant.id,
            TokenSet(
                access_token=pair["access_token"],
                refresh_token=pair["refresh_token"],
                expires_at=now + dt.timedelta(seconds=int(pair["expires_in"])),
            ),
            Fernet(token_key.encode()),
            scope=SCOPES,
        )
        session.add(
            Integration(
                tenant_id=tenant.id,
                state=IntegrationState.ACTIVE,
                started_at=now,
                wiped_at=now,
                connected_at=now,
                configured_at=now,
            )
        )
        session.add(
            IntegrationSettings(
                tenant_id=tenant.id,
                administration_id=company_id,
                administration_name=name,
                work_time_product=_product_json(work),
                travel_time_product=_product_json(travel),
                standard_product=None,
                description_as_first_line=description_as_first_line,
                filter_word=filter_word,
                terms_accepted_at=now,
                saved_at=now,
            )
        )
        for n, contact in enumerate(contacts):
            customer = Customer(
                tenant_id=tenant.id,
                name=f"{name} klant {n}",
                rompslomp_id=contact,
                source=RecordSource.ROMPSLOMP,
                active=True,
            )
            session.add(customer)
            await session.flush()
            address = WorkAddress(
                tenant_id=tenant.id,
                customer_id=customer.id,
                street=f"Dorpsstraat {n + 1}",
                zipcode="3511 AB",
                city="Utrecht",
                country_code="NL",
                source=RecordSource.ROMPSLOMP,
            )
            session.add(address)
            await session.flush()
            world.customers.append((customer.id, contact, address.id))
        for product in materials:
            article = Article(
                tenant_id=tenant.id,
                code=product.code,
                description=product.description,
                price=product.price,
                vat_type_id=product.vat_type_id,
                rompslomp_id=product.id,
                source=RecordSource.ROMPSLOMP,
                active=True,
            )
            session.add(article)
            await session.flush()
            world.articles.append(article.id)
        await session.commit()
    return world


async def completed_work_order(
    api: httpx.AsyncClient,
    world: World,
    *,
    description: str = "CV-ketel onderhoud",
    customer: int | None = 0,
    work_minutes: int = 120,
    travel_minutes: int = 15,
    materials: tuple[tuple[int, str, str | None], ...] = ((0, "2", None), (1, "1", "19.95")),
) -> int:
    """A completed work order over simon_api's HTTP API; its id (archive it next)."""
    body: dict[str, Any] = {
        "description": description,
        "assignee_id": world.employee_id,
        "planned_date": "2026-11-27",
    }
    if customer is not None:
        customer_id, _, address_id = world.customers[customer]
        body |= {"customer_id": customer_id, "work_address_id": address_id}
    answer = await api.post(W, json=body, headers=world.headers)
    assert answer.status_code == 201, answer.text
    work_order_id: int = answer.json()["id"]
    for kind, minutes in (("work", work_minutes), ("travel", travel_minutes)):
        if minutes:
            answer = await api.post(
                f"{W}/{work_order_id}/time-entries",
                json={"kind": kind, "minutes": minutes},
                headers=world.headers,
            )
            assert answer.status_code == 201, answer.text
    for index, quantity, price in materials:
        material: dict[str, Any] = {"article_id": world.articles[index], "quantity": quantity}
        if price is not None:
            material["unit_price"] = price
        answer = await api.post(
            f"{W}/{work_order_id}/materials", json=material, headers=world.headers
        )
        assert answer.status_code == 201, answer.text
    answer = await api.post(f"{W}/{work_order_id}/complete", headers=world.headers)
    assert answer.status_code == 200, answer.text
    return work_order_id


async def archive(api: httpx.AsyncClient, world: World, work_order_id: int) -> None:
    answer = await api.post(f"{W}/{work_order_id}/archive", headers=world.headers)
    assert answer.status_code == 200, answer.text


async def invoices(sandbox: httpx.AsyncClient, world: World) -> list[dict[str, Any]]:
    answer = await sandbox.get(f"/_sandbox/companies/{world.company_id}/sales_invoices")
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()["sales_invoices"]
    return found
