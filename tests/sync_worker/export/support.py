"""Helpers for the export's tests (plain code, no fixtures): `Shop`, a tenant with an active
integration on its own sandbox administration, and the export's default waits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.export.sender import ExportWaits, Outcome, export_event
from services.sync_worker.rompslomp import TokenSet
from services.sync_worker.rompslomp.connection import store_tokens
from shared.auth import create_tenant
from shared.enums import IntegrationState, RecordSource, TimeEntryKind, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED
from shared.models import (
    Article,
    Customer,
    Integration,
    IntegrationSettings,
    InvoiceExport,
    Material,
    TimeEntry,
    WorkAddress,
    WorkOrder,
)
from shared.outbox import publish
from shared.snapshot import work_order_snapshot
from tests.support.tenants import TenantKey

SCOPES = "public manage:contacts manage:sales_invoices manage:products"
# The defaults of EXPORT_SETTLE_SECONDS and of the POST lease (2 × EXPORT_POST_TIMEOUT_SECONDS).
SETTLE = 60.0
LEASE = 60.0


@dataclass
class Shop:
    """One tenant with an active integration on its own sandbox administration."""

    session: AsyncSession
    sandbox: httpx.AsyncClient
    sessions: SessionFactory
    rompslomp: Rompslomp
    key: TenantKey
    company_id: int
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    contact_id: int = 0
    customer_id: int = 0
    address_id: int = 0
    articles: list[int] = field(default_factory=list)
    counter: int = 0
    outsider_token: str | None = None

    @property
    def tenant_id(self) -> int:
        return self.key.tenant_id

    async def settings(self) -> IntegrationSettings:
        found = await self.session.get(IntegrationSettings, self.tenant_id)
        assert found is not None
        return found

    async def work_order(
        self,
        *,
        description: str = "CV-ketel onderhoud",
        customer: bool = True,
        minutes: tuple[tuple[TimeEntryKind, int], ...] = (
            (TimeEntryKind.WORK, 120),
            (TimeEntryKind.TRAVEL, 15),
        ),
        materials: tuple[tuple[int, str, str], ...] = ((0, "2", "2.35"), (1, "1", "19.95")),
    ) -> WorkOrder:
        self.counter += 1
        work_order = WorkOrder(
            tenant_id=self.tenant_id,
            number=f"2026-{self.counter:05d}",
            status=WorkOrderStatus.COMPLETED,
            customer_id=self.customer_id if customer else None,
            work_address_id=self.address_id if customer else None,
            description=description,
            archive_count=0,
        )
        self.session.add(work_order)
        await self.session.flush()
        for kind, value in minutes:
            self.session.add(
                TimeEntry(
                    tenant_id=self.tenant_id,
                    work_order_id=work_order.id,
                    kind=kind,
                    minutes=value,
                )
            )
        for index, quantity, price in materials:
            self.session.add(
                Material(
                    tenant_id=self.tenant_id,
                    work_order_id=work_order.id,
                    article_id=self.articles[index],
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                )
            )
        await self.session.flush()
        return work_order

    async def archive(self, work_order: WorkOrder) -> int:
        """What simon_api's archive does: status, count, the event (its id)."""
        work_order.status = WorkOrderStatus.ARCHIVED
        work_order.archived_at = dt.datetime.now(dt.UTC)
        work_order.archive_count += 1
        await self.session.flush()
        event_id = await publish(
            self.session,
            tenant_id=self.tenant_id,
            event_type=WORK_ORDER_ARCHIVED,
            aggregate_id=work_order.id,
            payload=await work_order_snapshot(self.session, work_order),
        )
        await self.session.commit()
        return event_id

    async def reopen(self, work_order: WorkOrder) -> None:
        work_order.status = WorkOrderStatus.COMPLETED
        work_order.archived_at = None
        await self.session.commit()

    async def export(self, event_id: int) -> Outcome:
        return await export_event(self.sessions, self.rompslomp, event_id)

    async def attempt(self, event_id: int) -> Outcome | ExportWaits:
        """One run of the export job: its outcome, or the wait it went back to the queue
        with."""
        try:
            return await self.export(event_id)
        except ExportWaits as waits:
            return waits

    async def time_passes(self, work_order: WorkOrder, seconds: float) -> None:
        """As if `seconds` went by for the export: its lease and settle time run down."""
        await self.session.execute(
            update(InvoiceExport)
            .where(InvoiceExport.work_order_id == work_order.id)
            .values(
                sending_since=InvoiceExport.sending_since - dt.timedelta(seconds=seconds),
                settle_after=InvoiceExport.settle_after - dt.timedelta(seconds=seconds),
            )
        )
        await self.session.commit()

    async def invoice_made_elsewhere(self, api_reference: str | None = None) -> int:
        """A concept invoice POSTed to the administration by someone else (its id)."""
        if self.outsider_token is None:
            pair = (await self.sandbox.post("/_sandbox/tokens", json={})).json()
            self.outsider_token = pair["access_token"]
        body: dict[str, Any] = {"contact_id": self.contact_id}
        if api_reference is not None:
            body["api_reference"] = api_reference
        answer = await self.sandbox.post(
            f"/api/v1/companies/{self.company_id}/sales_invoices",
            json={"sales_invoice": body},
            headers={"Authorization": f"Bearer {self.outsider_token}"},
        )
        assert answer.status_code == 201, answer.text
        invoice_id: int = answer.json()["sales_invoice"]["id"]
        return invoice_id

    async def sandbox_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = (await self.sandbox.get("/_sandbox/stats")).json()
        return stats

    async def export_row(self, work_order: WorkOrder) -> InvoiceExport:
        row = await self.session.scalar(
            select(InvoiceExport)
            .where(InvoiceExport.work_order_id == work_order.id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return row

    async def invoices(self) -> list[dict[str, Any]]:
        answer = await self.sandbox.get(f"/_sandbox/companies/{self.company_id}/sales_invoices")
        found: list[dict[str, Any]] = answer.json()["sales_invoices"]
        return found


async def _product(sandbox: httpx.AsyncClient, company: int, description: str, price: str) -> Any:
    answer = await sandbox.post(
        f"/_sandbox/companies/{company}/products",
        json={"description": description, "price_per_unit": price},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["product"]


async def make_shop(
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    sessions: SessionFactory,
    rompslomp: Rompslomp,
    token_key: str,
    name: str,
    *,
    state: IntegrationState = IntegrationState.ACTIVE,
) -> Shop:
    tenant, employee, api_key = await create_tenant(session, name)
    company = (await sandbox.post("/_sandbox/companies", json={"name": name})).json()["company"]
    shop = Shop(
        session,
        sandbox,
        sessions,
        rompslomp,
        TenantKey(tenant.id, employee.id, api_key),
        company["id"],
    )
    for key, description, price in (
        ("work", "Arbeid monteur", "65.00"),
        ("travel", "Reistijd", "45.50"),
        ("knel", "Knelkoppeling 15 mm", "2.35"),
        ("kraan", "Thermostaatkraan", "24.95"),
    ):
        shop.products[key] = await _product(sandbox, shop.company_id, description, price)
    contact = await sandbox.post(
        f"/_sandbox/companies/{shop.company_id}/contacts", json={"company_name": "Jansen BV"}
    )
    shop.contact_id = contact.json()["contact"]["id"]
    pair = (await sandbox.post("/_sandbox/tokens", json={"scopes": SCOPES})).json()
    now = dt.datetime.now(dt.UTC)
    await store_tokens(
        session,
        tenant.id,
        TokenSet(
            access_token=pair["access_token"],
            refresh_token=pair["refresh_token"],
            expires_at=now + dt.timedelta(hours=2),
        ),
        Fernet(token_key.encode()),
    )
    session.add(Integration(tenant_id=tenant.id, state=state, started_at=now))

    def product_json(key: str) -> dict[str, Any]:
        product = shop.products[key]
        return {
            "id": product["id"],
            "product_code": product["invoice_line"]["product_code"],
            "description": product["invoice_line"]["description"],
            "price_per_unit": product["invoice_line"]["price_per_unit"],
        }

    session.add(
        IntegrationSettings(
            tenant_id=tenant.id,
            administration_id=shop.company_id,
            work_time_product=product_json("work"),
            travel_time_product=product_json("travel"),
            description_as_first_line=True,
            filter_word="garantie",
            terms_accepted_at=now,
            saved_at=now,
        )
    )
    customer = Customer(
        tenant_id=tenant.id,
        name="Jansen BV",
        rompslomp_id=shop.contact_id,
        source=RecordSource.ROMPSLOMP,
    )
    session.add(customer)
    await session.flush()
    address = WorkAddress(
        tenant_id=tenant.id,
        customer_id=customer.id,
        street="Dorpsstraat 1",
        zipcode="3511 AB",
        city="Utrecht",
    )
    session.add(address)
    shop.customer_id = customer.id
    for key in ("knel", "kraan"):
        product = shop.products[key]
        article = Article(
            tenant_id=tenant.id,
            code=product["invoice_line"]["product_code"],
            description=product["invoice_line"]["description"],
            price=Decimal(str(product["invoice_line"]["price_per_unit"])),
            vat_type_id=product["invoice_line"]["vat_type_id"],
            rompslomp_id=product["id"],
            source=RecordSource.ROMPSLOMP,
        )
        session.add(article)
        await session.flush()
        shop.articles.append(article.id)
    await session.flush()
    shop.address_id = address.id
    await session.commit()
    return shop
