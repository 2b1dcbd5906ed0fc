"""Simon edits are repaired, Simon's own fields stay (issue 11 §3): edits of Rompslomp-led
rows made while the integration was off are put back by the next full sync after it is
active again, although Rompslomp's content (and so its hash) did not change."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.sync_worker.integration.state import mark_needs_reconnect
from shared.enums import RecordSource, SyncEntity
from shared.models import Article, ArticleGroup, Customer, SyncState, WorkAddress
from tests.sync_worker.masterdata.support import Tenant


async def _repair_pending(tenant: Tenant) -> dict[str, bool]:
    rows = await tenant.session.scalars(
        select(SyncState)
        .where(SyncState.tenant_id == tenant.id)
        .execution_options(populate_existing=True)
    )
    return {row.entity: row.repair_pending for row in rows}


async def test_edits_made_while_inactive_are_put_back_after_reactivation(
    imported: Tenant,
) -> None:
    session = imported.session
    customer = await session.scalar(
        select(Customer)
        .join(WorkAddress, WorkAddress.customer_id == Customer.id)
        .where(Customer.tenant_id == imported.id, WorkAddress.source == "rompslomp")
        .order_by(Customer.id)
        .limit(1)
    )
    article = await session.scalar(
        select(Article).where(Article.tenant_id == imported.id).order_by(Article.id).limit(1)
    )
    assert customer is not None
    assert article is not None
    original = (customer.name, customer.city, article.price)
    await imported.call("POST", "/deactivate", {"confirm": True})
    assert await _repair_pending(imported) == {"customers": True, "articles": True}

    # While inactive, Simon may edit them (simon_api allows it): a name, a price, the
    # Rompslomp work address; and it adds what is Simon's own.
    group = ArticleGroup(tenant_id=imported.id, name="Koper")
    session.add(group)
    await session.flush()
    customer.name, customer.city = "Bewerkt in Simon", "Ergens"
    article.price, article.article_group_id = Decimal("1234.5"), group.id
    address = await session.scalar(
        select(WorkAddress).where(
            WorkAddress.customer_id == customer.id, WorkAddress.source == "rompslomp"
        )
    )
    assert address is not None
    address.street = "Simonstraat 1"
    session.add(
        WorkAddress(
            tenant_id=imported.id,
            customer_id=customer.id,
            street="Eigen adres",
            source=RecordSource.SIMON,
        )
    )
    await session.commit()

    await imported.call("POST", "/activate")
    runs = {r.entity: r for r in await imported.work()}

    assert (runs[SyncEntity.CUSTOMERS].changed, runs[SyncEntity.ARTICLES].changed) == (1, 1)
    for row in (customer, article, address):
        await session.refresh(row)
    assert (customer.name, customer.city, article.price) == original
    assert address.street == customer.address
    assert article.article_group_id == group.id  # Simon's own field stays
    own = await imported.count(WorkAddress, WorkAddress.source == "simon")
    assert own == 1  # and so does Simon's own work address
    assert await _repair_pending(imported) == {"customers": False, "articles": False}
    lines = [e.message for e in await imported.log_lines()]
    assert any(
        m.startswith(f"Klant '{original[0]}'")
        and "teruggezet naar de gegevens uit Rompslomp (in Simon gewijzigd): naam, plaats" in m
        for m in lines
    )

    # Repaired once: the next run compares hashes again and writes nothing.
    again = await imported.sync_now("customers", "articles")
    assert {(r.changed, r.added) for r in again} == {(0, 0)}


async def test_a_rompslomp_work_address_edited_in_simon_is_put_back(imported: Tenant) -> None:
    session = imported.session
    address = await session.scalar(
        select(WorkAddress)
        .where(WorkAddress.tenant_id == imported.id, WorkAddress.source == "rompslomp")
        .order_by(WorkAddress.id)
        .limit(1)
    )
    assert address is not None
    street = address.street
    await imported.call("POST", "/deactivate", {"confirm": True})
    address.street = "Ergens anders 9"
    await session.commit()
    await imported.call("POST", "/activate")

    runs = {r.entity: r for r in await imported.work()}

    assert runs[SyncEntity.CUSTOMERS].changed == 1
    await session.refresh(address)
    assert address.street == street
    lines = [e.message for e in await imported.log_lines("customer")]
    assert any(m.endswith("(in Simon gewijzigd): werkadres.") for m in lines)


async def test_losing_the_connection_also_makes_the_next_listing_compare_values(
    imported: Tenant,
) -> None:
    await mark_needs_reconnect(imported.session, imported.id)
    await imported.session.commit()
    assert await _repair_pending(imported) == {"customers": True, "articles": True}
