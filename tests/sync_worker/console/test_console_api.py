"""What the office console needs from the API, there for every frontend: product search,
deletions held by the guard in the status, work order numbers in the log, one work order's
export; and the console itself, served with a strict CSP, where the OAuth callback returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.log import writer
from services.sync_worker.settings import SyncWorkerSettings
from shared.enums import LogLevel, SyncEntity
from shared.export_status import ExportStatus
from shared.models import InvoiceExport, SyncState, WorkOrder
from tests.support.tenants import TenantKey
from tests.sync_worker.support import Wizard


async def test_products_are_searched_by_code_or_name_in_the_chosen_administration(
    wizard: Wizard,
) -> None:
    await wizard.wipe_all()
    await wizard.connect()
    company = await wizard.administration()
    everything = await wizard.call("GET", f"/products?administration_id={company['id']}")
    assert everything["total"] == 15
    assert len(everything["items"]) == 15
    some = everything["items"][3]
    by_code = await wizard.call(
        "GET", f"/products?administration_id={company['id']}&q={some['product_code']}"
    )
    assert some["id"] in [p["id"] for p in by_code["items"]]
    word = some["description"].split()[0]
    by_name = await wizard.call("GET", f"/products?administration_id={company['id']}&q={word}")
    assert all(word.lower() in (p["description"] or "").lower() for p in by_name["items"])
    limited = await wizard.call("GET", f"/products?administration_id={company['id']}&limit=2")
    assert (len(limited["items"]), limited["total"]) == (2, 15)


async def test_product_search_refuses_an_unknown_administration_and_bad_input(
    wizard: Wizard,
) -> None:
    await wizard.call("GET", "/products?administration_id=1", status=409)  # not connected
    await wizard.wipe_all()
    await wizard.connect()
    unknown = await wizard.call("GET", "/products?administration_id=999999", status=422)
    assert unknown["code"] == "unknown_administration"
    for query in (
        "",
        "administration_id=x",
        "administration_id=1&limit=0",
        f"administration_id={2**63}",
    ):
        problem = await wizard.call("GET", f"/products?{query}", status=422)
        assert problem["errors"][0]["field"] in ("administration_id", "limit")


async def test_the_status_names_deletions_the_guard_holds(
    wizard: Wizard, session: AsyncSession, make_tenant: Callable[..., Awaitable[TenantKey]]
) -> None:
    assert (await wizard.call("GET", ""))["held_deletions"] == []
    session.add(
        SyncState(
            tenant_id=wizard.who.tenant_id, entity=SyncEntity.CUSTOMERS, pending_deletions=[7, 8, 9]
        )
    )
    await session.commit()
    held = (await wizard.call("GET", ""))["held_deletions"]
    assert [(h["entity"], h["count"]) for h in held] == [("customers", 3)]
    other = Wizard(wizard.client, wizard.sandbox, await make_tenant("Tenant B"))
    assert (await other.call("GET", ""))["held_deletions"] == []


async def test_log_entries_carry_their_work_order_number_of_this_tenant_only(
    wizard: Wizard, session: AsyncSession, make_tenant: Callable[..., Awaitable[TenantKey]]
) -> None:
    order = WorkOrder(tenant_id=wizard.who.tenant_id, number="2026-00042", description="Lekkage")
    session.add(order)
    await session.flush()
    other = await make_tenant("Tenant B")
    for tenant in (wizard.who.tenant_id, other.tenant_id):
        writer.write(
            session, tenant, level=LogLevel.ERROR, message="Geen klant", work_order_id=order.id
        )
    await session.commit()
    mine = (await wizard.call("GET", "/logs"))["items"]
    assert [(e["work_order_id"], e["work_order_number"]) for e in mine] == [
        (order.id, "2026-00042")
    ]
    theirs = (await Wizard(wizard.client, wizard.sandbox, other).call("GET", "/logs"))["items"]
    assert [e["work_order_number"] for e in theirs] == [None]


async def test_exports_are_listed_for_one_work_order(wizard: Wizard, session: AsyncSession) -> None:
    orders = [
        WorkOrder(tenant_id=wizard.who.tenant_id, number=f"2026-0000{n}", description="x")
        for n in (1, 2)
    ]
    session.add_all(orders)
    await session.flush()
    for order in orders:
        session.add(
            InvoiceExport(
                tenant_id=wizard.who.tenant_id,
                work_order_id=order.id,
                status=ExportStatus.FAILED,
                api_reference=f"simon-{wizard.who.tenant_id}-wo-{order.id}",
            )
        )
    await session.commit()
    one = await wizard.call("GET", f"/exports?work_order_id={orders[1].id}")
    assert [e["number"] for e in one["items"]] == ["2026-00002"]
    assert len((await wizard.call("GET", "/exports"))["items"]) == 2
    problem = await wizard.call("GET", "/exports?work_order_id=0", status=422)
    assert problem["errors"][0]["field"] == "work_order_id"


async def test_the_console_is_served_with_a_strict_content_security_policy(
    client: httpx.AsyncClient,
) -> None:
    home = await client.get("/")
    assert (home.status_code, home.headers["location"]) == (307, "/console/")
    bare = await client.get("/console")
    assert bare.status_code in (307, 308)
    page = await client.get("/console/")
    assert page.status_code == 200
    assert '<script type="module" src="js/main.js">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    script = await client.get("/console/js/screens/status.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert (await client.get("/console/js/nope.js")).status_code == 404


def test_the_oauth_callback_returns_to_the_console_by_default() -> None:
    assert SyncWorkerSettings(database_url="postgresql://unused/unused").ui_return_url == (
        "/console/"
    )


async def test_after_consent_the_browser_lands_on_the_console(
    wizard: Wizard, worker_settings: SyncWorkerSettings
) -> None:
    worker_settings.ui_return_url = "/console/"
    await wizard.wipe_all()
    response = await wizard.callback(await wizard.authorize())
    assert response.status_code == 303
    assert response.headers["location"] == "/console/?rompslomp=connected"
