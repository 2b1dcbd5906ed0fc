"""One bad record never stops a tenant (issue 11 §1): a record Simon cannot store is
skipped, counted and logged, counts as seen (never deleted), and the run still finishes;
values Rompslomp allows are stored as they are (long text, six decimals, NUL stripped).

The sandbox's raw values (`PUT /_sandbox/companies/{id}/{resource}/{record}/raw`) stand
for what the real API may hand us without validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from shared.enums import SyncEntity
from shared.models import Article, Customer, SyncState
from tests.sync_worker.masterdata.support import Tenant


async def _raw(tenant: Tenant, resource: str, record_id: int, fields: dict[str, Any]) -> None:
    await tenant.rompslomp("PUT", f"/{resource}/{record_id}/raw", fields)


async def _new_product(tenant: Tenant, code: str) -> int:
    body = {"description": f"Product {code}", "price_per_unit": "1.00", "product_code": code}
    created = (await tenant.rompslomp("POST", "/products", body)).json()
    return int(created["product"]["id"])


async def _article(tenant: Tenant, rompslomp_id: int) -> Article | None:
    return await tenant.session.scalar(
        select(Article)
        .where(Article.tenant_id == tenant.id, Article.rompslomp_id == rompslomp_id)
        .execution_options(populate_existing=True)
    )


async def _a_product(tenant: Tenant) -> int:
    rompslomp_id = await tenant.session.scalar(
        select(Article.rompslomp_id)
        .where(Article.tenant_id == tenant.id)
        .order_by(Article.rompslomp_id)
        .limit(1)
    )
    assert rompslomp_id is not None
    return rompslomp_id


async def test_a_malformed_and_an_oversized_record_among_99_good_ones(tenant: Tenant) -> None:
    await tenant.rompslomp("POST", "/seed", {"products": 84, "seed": 4})  # 15 + 84 = 99 good
    malformed = await _new_product(tenant, "P-KAPOT")
    oversized = await _new_product(tenant, "P-DUUR")
    await _raw(tenant, "products", malformed, {"invoice_line": {"price_per_unit": "twaalf"}})
    await _raw(
        tenant, "products", oversized, {"invoice_line": {"price_per_unit": "99999999999.00"}}
    )

    runs = {r.entity: r for r in await tenant.work()}

    articles = runs[SyncEntity.ARTICLES]
    assert (articles.status, articles.added, articles.skipped) == ("finished", 99, 2)
    assert await tenant.count(Article) == 99
    warnings = [e for e in await tenant.log_lines("article") if e.level == "warning"]
    assert sorted(e.message for e in warnings) == [
        "Artikel P-DUUR uit Rompslomp overgeslagen: prijs 99999999999.00 is te groot.",
        "Artikel P-KAPOT uit Rompslomp overgeslagen: prijs twaalf is geen getal.",
    ]
    assert all(e.action.startswith("Pas het artikel aan in Rompslomp") for e in warnings)
    assert {e.subject for e in warnings} == {"P-DUUR", "P-KAPOT"}
    assert all(e.message_en and "skipped" in e.message_en for e in warnings)

    # Later runs neither retry nor repeat themselves: same skips, no new warnings.
    assert await tenant.waiting_jobs(due_only=False) == []
    (again,) = await tenant.sync_now("articles")
    assert (again.status, again.skipped, again.added, again.removed) == ("finished", 2, 0, 0)
    assert [e for e in await tenant.log_lines("article") if e.level == "warning"] == warnings

    # Corrected in Rompslomp: imported, and forgotten as skipped.
    await tenant.rompslomp("DELETE", f"/products/{oversized}/raw")
    (fixed,) = await tenant.sync_now("articles")
    assert (fixed.added, fixed.skipped) == (1, 1)
    state = await tenant.session.scalar(
        select(SyncState)
        .where(SyncState.tenant_id == tenant.id, SyncState.entity == "articles")
        .execution_options(populate_existing=True)
    )
    assert state is not None
    assert state.skipped == {str(malformed): "prijs twaalf is geen getal"}


async def test_a_skipped_record_counts_as_seen_and_is_never_deleted(imported: Tenant) -> None:
    product = await _a_product(imported)
    await _raw(imported, "products", product, {"invoice_line": {"vat_rate": "150"}})

    (run,) = await imported.sync_now("articles")

    assert (run.status, run.skipped, run.removed, run.deactivated) == ("finished", 1, 0, 0)
    kept = await _article(imported, product)
    assert kept is not None
    assert kept.active
    warning = (await imported.log_lines("article"))[-2]
    assert warning.level == "warning"
    assert warning.message.endswith("btw-tarief 150 is te groot.")


async def test_values_rompslomp_allows_are_stored_as_they_are(imported: Tenant) -> None:
    customers = await imported.customers_in_rompslomp()
    long_name, with_nul, huge_id = customers[0].id, customers[1].id, customers[2].id
    name = "Installatiebedrijf " + "Heel Lange Naam " * 600
    await _raw(imported, "contacts", long_name, {"name": name, "city": "x" * 500})
    await _raw(
        imported, "contacts", with_nul, {"name": "Bakkerij\u0000 Jansen", "zipcode": "\u0000"}
    )
    await _raw(imported, "contacts", huge_id, {"id": 2**64})
    product = await _a_product(imported)
    await _raw(imported, "products", product, {"invoice_line": {"price_per_unit": "12.3456789"}})

    runs = {r.entity: r for r in await imported.sync_now("customers", "articles")}

    assert (runs[SyncEntity.CUSTOMERS].status, runs[SyncEntity.CUSTOMERS].skipped) == (
        "finished",
        1,
    )
    assert (
        runs[SyncEntity.CUSTOMERS].removed == 0
    )  # the unreadable id: listed, so nothing is missing
    stored = {
        c.rompslomp_id: c
        for c in await imported.session.scalars(
            select(Customer)
            .where(Customer.tenant_id == imported.id)
            .execution_options(populate_existing=True)
        )
    }
    assert stored[long_name].name == name.strip()
    assert stored[long_name].city == "x" * 500
    assert (stored[with_nul].name, stored[with_nul].zipcode) == ("Bakkerij Jansen", None)
    assert stored[huge_id].active  # still there: skipped, not missing
    article = await _article(imported, product)
    assert article is not None
    assert article.price == Decimal("12.345679")  # six decimals, rounded half up
    skipped = [e for e in await imported.log_lines("customer") if e.level == "warning"]
    assert len(skipped) == 1
    assert "id 18446744073709551616 is te groot" in skipped[0].message
