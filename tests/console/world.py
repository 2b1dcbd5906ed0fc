"""Set-up for the console's browser tests: tenants, sandbox administrations and the API
calls that put a tenant into the state a screen is tested in (the walk in test_walk.py
does all of it through the browser instead)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx

from shared.auth import create_tenant
from shared.db import create_engine, create_sessionmaker

P = "/api/v1/integration"
DEADLINE_SECONDS = 60.0


@dataclass
class Stack:
    database_url: str
    worker: str
    sandbox: str
    simon_api: str

    @property
    def console(self) -> str:
        return f"{self.worker}/console/"


async def new_tenant(stack: Stack, name: str) -> tuple[int, str]:
    """A tenant with one office employee: its id and that employee's key."""
    engine = create_engine(stack.database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            tenant, _, key = await create_tenant(session, name)
            await session.commit()
            return tenant.id, key
    finally:
        await engine.dispose()


async def wait_for(check: Any, what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


class _HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""


class Office:
    """One office employee's calls to the sync worker, and the sandbox's control plane."""

    def __init__(self, stack: Stack, key: str) -> None:
        self.stack = stack
        self.key = key
        self.api = httpx.AsyncClient(
            base_url=stack.worker, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        self.sandbox = httpx.AsyncClient(base_url=stack.sandbox, timeout=30)
        self.simon = httpx.AsyncClient(
            base_url=stack.simon_api + "/api/v1",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    async def close(self) -> None:
        for client in (self.api, self.sandbox, self.simon):
            await client.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """`path` under /api/v1/integration ("" is the status)."""
        return await self.api.request(method, P + path, **kwargs)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self.request(method, path, **kwargs)
        assert answer.status_code < 400, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    async def company(self, name: str, *, contacts: int = 30, products: int = 8) -> int:
        """A sandbox administration of its own (other tests' deletions cannot touch it)."""
        answer = await self.sandbox.post("/_sandbox/companies", json={"name": name})
        answer.raise_for_status()
        company_id = int(answer.json()["company"]["id"])
        seeded = await self.sandbox.post(
            f"/_sandbox/companies/{company_id}/seed",
            json={"contacts": contacts, "products": products, "seed": company_id},
        )
        seeded.raise_for_status()
        return company_id

    async def delete_invoice(self, company_id: int, work_order_id: int) -> None:
        """Delete a work order's concept invoice in Rompslomp, as the office would there."""
        exports = await self.call("GET", "/exports", params={"work_order_id": work_order_id})
        invoice_id = exports["items"][0]["rompslomp_invoice_id"]
        answer = await self.sandbox.delete(
            f"/_sandbox/companies/{company_id}/sales_invoices/{invoice_id}"
        )
        answer.raise_for_status()

    async def customer_count(self, company_id: int) -> int:
        """How many of the administration's contacts are customers, as Rompslomp's API says
        (the seed makes some contacts suppliers, which Simon does not import)."""
        minted = await self.sandbox.post("/_sandbox/tokens", json={})
        minted.raise_for_status()
        answer = await self.sandbox.get(
            f"/api/v1/companies/{company_id}/contacts",
            params={"selection": "customers", "per_page": 1},
            headers={"Authorization": f"Bearer {minted.json()['access_token']}"},
        )
        answer.raise_for_status()
        return int(answer.headers["X-Total"])

    async def product(self, company_id: int, code: str, name: str, price: str) -> int:
        """A product made in Rompslomp; its id."""
        answer = await self.sandbox.post(
            f"/_sandbox/companies/{company_id}/products",
            json={
                "invoice_line": {"product_code": code, "description": name, "price_per_unit": price}
            },
        )
        answer.raise_for_status()
        return int(answer.json()["product"]["id"])

    async def approve_consent(self, authorize_url: str) -> None:
        """What a person does on Rompslomp's consent page: Toestaan."""
        consent = await self.sandbox.get(authorize_url)
        assert consent.status_code == 200, consent.text
        form = _HiddenFields()
        form.feed(consent.text)
        decided = await self.sandbox.post(
            "/oauth/authorize", data={**form.fields, "decision": "approve"}
        )
        assert decided.status_code == 303, decided.text
        back = await self.api.get(decided.headers["location"])
        assert back.status_code == 303, back.text

    async def activate(self, company_id: int, **settings: Any) -> None:
        """Wipe, connect, settings: the first activation, through the API."""
        tables = [t["table"] for t in (await self.call("GET", "/wipe"))["tables"]]
        await self.call("POST", "/wipe", json={"tables": tables})
        await self.approve_consent((await self.call("POST", "/connect"))["authorize_url"])
        await self.call(
            "PUT",
            "/settings",
            json={"administration_id": company_id, "accept_terms": True, **settings},
        )

    async def idle(self) -> dict[str, Any]:
        """The status once no sync run is queued or running."""

        async def check() -> dict[str, Any] | None:
            status: dict[str, Any] = await self.call("GET", "")
            busy = [r for r in status["sync"] if r["status"] in ("queued", "running")]
            return None if busy or not status["sync"] else status

        result: dict[str, Any] = await wait_for(check, "the sync runs to end")
        return result


async def archived_work_order(office: Office, *, with_customer: bool = True) -> dict[str, Any]:
    """A completed work order with an hour of work, archived (of an imported customer, or of
    none: an export that fails)."""
    customer = None
    if with_customer:
        customer = (await office.simon.get("/customers", params={"limit": 1})).json()["items"][0]
    fitter = await office.simon.post(
        "/employees",
        json={
            "name": "Piet Monteur",
            "email": f"piet{time.time_ns()}@console.test",
            "role": "field",
        },
    )
    order = await office.simon.post(
        "/work-orders",
        json={
            "customer_id": customer["id"] if customer else None,
            "description": "Lekkage badkamer verholpen",
            "assignee_id": fitter.json()["id"],
            "planned_date": dt.datetime.now(dt.UTC).date().isoformat(),
        },
    )
    path = f"/work-orders/{order.json()['id']}"
    for step in (
        office.simon.post(f"{path}/time-entries", json={"kind": "work", "minutes": 60}),
        office.simon.post(f"{path}/complete"),
        office.simon.post(f"{path}/archive"),
    ):
        answer = await step
        assert answer.status_code < 300, answer.text
    archived: dict[str, Any] = answer.json()
    return archived


async def login(page: Any, stack: Stack, key: str) -> None:
    await page.goto(stack.console)
    await page.get_by_label("API-sleutel").fill(key)
    await page.get_by_role("button", name="Inloggen").click()
    await page.get_by_role("button", name="Uitloggen").wait_for()
