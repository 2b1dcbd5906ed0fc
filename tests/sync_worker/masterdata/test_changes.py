"""Edits, additions and deletions made in Rompslomp reach Simon after "Nu synchroniseren"
(R-SYNC-3); deletions keep what a work order refers to (R-MASTER-4); records made in Simon
are cleaned up (R-MASTER-3)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from shared.enums import RecordSource
from shared.models import Article, Customer, Material, WorkAddress, WorkOrder
from tests.sync_worker.masterdata.support import Tenant


async def _customer(tenant: Tenant, rompslomp_id: int) -> Customer | None:
    return await tenant.session.scalar(
        select(Customer)
        .where(Customer.tenant_id == tenant.id, Customer.rompslomp_id == rompslomp_id)
        .execution_options(populate_existing=True)
    )


async def _article(tenant: Tenant, rompslomp_id: int) -> Article | None:
    return await tenant.session.scalar(
        select(Article)
        .where(Article.tenant_id == tenant.id, Article.rompslomp_id == rompslomp_id)
        .execution_options(populate_existing=True)
    )


async def _rompslomp_ids(tenant: Tenant, model: type[Customer] | type[Article]) -> list[int]:
    rows = await tenant.session.scalars(
        select(model.rompslomp_id).where(model.tenant_id == tenant.id).order_by(model.id)
    )
    return [r for r in rows if r is not None]


async def _work_order(tenant: Tenant, customer: Customer, status: str) -> WorkOrder:
    count = await tenant.count(WorkOrder)
    work_order = WorkOrder(
        tenant_id=tenant.id, number=f"T{count + 1}", status=status, customer_id=customer.id
    )
    tenant.session.add(work_order)
    await tenant.session.flush()
    return work_order


async def test_an_edit_an_addition_and_a_deletion_appear_after_sync_now(
    imported: Tenant,
) -> None:
    edited, deleted = (await _rompslomp_ids(imported, Customer))[:2]
    customer = await _customer(imported, edited)
    assert customer is not None
    own_address = WorkAddress(
        tenant_id=imported.id,
        customer_id=customer.id,
        street="Achterom 1",
        source=RecordSource.SIMON,
    )
    imported.session.add(own_address)
    await imported.session.commit()

    await imported.rompslomp(
        "PATCH", f"/contacts/{edited}", {"address": "Nieuwe Gracht 7", "city": "Haarlem"}
    )
    await imported.rompslomp("DELETE", f"/contacts/{deleted}")
    added = (
        await imported.rompslomp(
            "POST", "/contacts", {"company_name": "Loodgieter Nieuw BV", "city": "Delft"}
        )
    ).json()["contact"]
    product = (await _rompslomp_ids(imported, Article))[0]
    await imported.rompslomp("PATCH", f"/products/{product}", {"price_per_unit": "99.50"})

    runs = await imported.sync_now("customers", "articles")
    assert {(r.entity, r.added, r.changed, r.deactivated, r.removed) for r in runs} == {
        ("customers", 1, 1, 0, 1),
        ("articles", 0, 1, 0, 0),
    }

    customer = await _customer(imported, edited)
    assert customer is not None
    assert (customer.address, customer.city) == ("Nieuwe Gracht 7", "Haarlem")
    addresses = {
        a.source: a
        for a in await imported.session.scalars(
            select(WorkAddress)
            .where(WorkAddress.customer_id == customer.id)
            .execution_options(populate_existing=True)
        )
    }
    assert (addresses[RecordSource.ROMPSLOMP].street, addresses[RecordSource.ROMPSLOMP].city) == (
        "Nieuwe Gracht 7",
        "Haarlem",
    )
    assert (
        addresses[RecordSource.SIMON].street == "Achterom 1"
    )  # Simon's own work address: untouched
    assert await _customer(imported, deleted) is None
    new = await _customer(imported, added["id"])
    assert new is not None
    assert new.name == "Loodgieter Nieuw BV"
    article = await _article(imported, product)
    assert article is not None
    assert article.price == Decimal("99.50")

    summaries = [e.message for e in await imported.log_lines("customer")]
    assert summaries[-1] == (
        "Klanten bijgewerkt vanuit Rompslomp: 1 toegevoegd, 1 gewijzigd, 0 gedeactiveerd, "
        "1 verwijderd."
    )


async def test_a_referenced_customer_and_article_are_deactivated_not_erased(
    imported: Tenant,
) -> None:
    open_for, archived_for, unreferenced = (await _rompslomp_ids(imported, Customer))[:3]
    article_id = (await _rompslomp_ids(imported, Article))[0]
    open_customer = await _customer(imported, open_for)
    archived_customer = await _customer(imported, archived_for)
    article = await _article(imported, article_id)
    assert open_customer is not None
    assert archived_customer is not None
    assert article is not None
    await _work_order(imported, open_customer, "created")
    archived = await _work_order(imported, archived_customer, "archived")
    imported.session.add(
        Material(
            tenant_id=imported.id,
            work_order_id=archived.id,
            article_id=article.id,
            quantity=Decimal(2),
            unit_price=Decimal(10),
        )
    )
    await imported.session.commit()
    for contact in (open_for, archived_for, unreferenced):
        await imported.rompslomp("DELETE", f"/contacts/{contact}")
    await imported.rompslomp("DELETE", f"/products/{article_id}")

    runs = await imported.sync_now("customers", "articles")
    assert {(r.entity, r.deactivated, r.removed) for r in runs} == {
        ("customers", 2, 1),
        ("articles", 1, 0),
    }
    for rompslomp_id in (open_for, archived_for):
        kept = await _customer(imported, rompslomp_id)
        assert kept is not None
        assert kept.active is False
    assert await _customer(imported, unreferenced) is None
    kept_article = await _article(imported, article_id)
    assert kept_article is not None
    assert kept_article.active is False

    # Still gone next time: nothing is counted twice.
    again = await imported.sync_now("customers")
    assert [(r.deactivated, r.removed) for r in again] == [(0, 0)]


async def test_customers_and_articles_made_in_simon_are_cleaned_up(imported: Tenant) -> None:
    kept = Customer(
        tenant_id=imported.id, name="In Simon gemaakt, op werkbon", source=RecordSource.SIMON
    )
    dropped = Customer(tenant_id=imported.id, name="In Simon gemaakt", source=RecordSource.SIMON)
    own_article = Article(
        tenant_id=imported.id,
        code="S1",
        description="Eigen",
        price=Decimal(1),
        source=RecordSource.SIMON,
    )
    imported.session.add_all([kept, dropped, own_article])
    await imported.session.flush()
    await _work_order(imported, kept, "completed")
    await imported.session.commit()

    await imported.sync_now("customers", "articles")

    simon_made = list(
        await imported.session.scalars(
            select(Customer)
            .where(Customer.tenant_id == imported.id, Customer.source == "simon")
            .execution_options(populate_existing=True)
        )
    )
    assert [(c.name, c.active) for c in simon_made] == [("In Simon gemaakt, op werkbon", False)]
    assert await imported.count(Article, Article.source == "simon") == 0
    messages = [e.message for e in await imported.log_lines("customer")]
    assert "Klant 'In Simon gemaakt' verwijderd: in Simon aangemaakt." in messages
    assert (
        "Klant 'In Simon gemaakt, op werkbon' gedeactiveerd: er staan werkbonnen op "
        "(in Simon aangemaakt)."
    ) in messages
