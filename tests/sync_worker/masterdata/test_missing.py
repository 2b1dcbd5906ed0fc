"""Deletions only of what is really gone (issue 11 §2): a listing counts as complete when it
holds as many distinct ids as `X-Total`; each missing id is asked for on its own before
anything is removed; what Simon holds data on is deactivated with the reason in the log;
a contact that became a supplier leaves like a deleted one (§3)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from structlog.testing import capture_logs

from services.sync_worker.masterdata.entities import CUSTOMERS
from services.sync_worker.masterdata.missing import SAMPLE, check_missing
from services.sync_worker.rompslomp import Contact, NotFoundError, RetriableError
from shared.enums import RecordSource, SyncEntity, WorkOrderStatus
from shared.models import (
    Article,
    ArticleGroup,
    ContactPerson,
    Customer,
    CustomerObject,
    WorkAddress,
    WorkOrder,
)
from tests.sync_worker.masterdata.support import Tenant


async def _customer(tenant: Tenant, rompslomp_id: int | None) -> Customer | None:
    return await tenant.session.scalar(
        select(Customer)
        .where(Customer.tenant_id == tenant.id, Customer.rompslomp_id == rompslomp_id)
        .execution_options(populate_existing=True)
    )


async def _customers(tenant: Tenant) -> list[Customer]:
    rows = await tenant.session.scalars(
        select(Customer)
        .where(Customer.tenant_id == tenant.id, Customer.source == "rompslomp")
        .order_by(Customer.rompslomp_id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _stats(tenant: Tenant) -> dict[str, int]:
    stats: dict[str, int] = (await tenant.wizard.sandbox.get("/_sandbox/stats")).json()["by_status"]
    return stats


async def test_a_contact_deleted_and_one_added_between_two_pages_loses_nothing(
    tenant: Tenant,
) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": 200, "seed": 11})
    await tenant.work()
    listed = [c.id for c in await tenant.customers_in_rompslomp()]
    assert len(listed) > 200
    first, skipped_by_paging = listed[0], listed[100]
    # While Simon reads page 1, someone deletes the first customer and adds another: the
    # count stays, page 2 starts one record later, so one customer is never listed.
    await tenant.rompslomp("PUT", "/churn", {"after_page": 1, "delete_id": first})

    with capture_logs() as logs:
        (run,) = await tenant.sync_now("customers")

    assert (run.status, run.added, run.removed, run.deactivated) == ("finished", 1, 0, 0)
    kept = [e for e in logs if e["event"] == "sync.missing.kept"]
    assert [(e["missing"], e["present"]) for e in kept] == [(1, 1)]
    missed = await _customer(tenant, skipped_by_paging)
    assert missed is not None
    assert missed.active  # asked for on its own: still there, so kept
    assert await _customer(tenant, first) is not None  # listed before it went: next time

    (later,) = await tenant.sync_now("customers")
    assert (later.added, later.removed) == (0, 1)
    assert await _customer(tenant, first) is None
    assert await tenant.count(Customer) == len(listed)  # one gone, one added


async def test_every_missing_id_is_asked_for_up_to_a_sample(tenant: Tenant) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": 300, "seed": 12})
    await tenant.work()
    customers = [c.id for c in await tenant.customers_in_rompslomp()]
    for contact in customers[:60]:  # 60 of ~290: over the sample, under the guard's share
        await tenant.rompslomp("DELETE", f"/contacts/{contact}")
    await tenant.wizard.sandbox.post("/_sandbox/stats/reset")

    (run,) = await tenant.sync_now("customers")

    assert (run.status, run.removed) == ("finished", 60)
    assert (await _stats(tenant)).get("404") == SAMPLE  # a sample, all gone: the rest too


class Rompslomp:
    """Stands in for the client: answers `get_contact` from a table of outcomes."""

    def __init__(self, answers: dict[int, Any]) -> None:
        self.answers = answers
        self.asked: list[int] = []

    async def get_contact(self, company_id: int, contact_id: int) -> Contact:
        self.asked.append(contact_id)
        answer = self.answers.get(contact_id, "gone")
        if answer == "gone":
            raise NotFoundError("not found", status=404)
        if answer == "busy":
            raise RetriableError("busy", status=503)
        return Contact(id=contact_id, is_supplier=answer == "supplier")


async def test_what_the_check_concludes_from_each_answer() -> None:
    answers = {1: "gone", 2: "supplier", 3: "present", 4: "busy"}
    client = Rompslomp(answers)
    # The stand-in has only the one method check_missing calls, not RompslompClient's type.
    verdict = await check_missing(client, 1, CUSTOMERS, [1, 2, 3, 4])  # type: ignore[arg-type]
    assert (verdict.gone, verdict.suppliers) == ([1, 2], {2})
    assert (verdict.present, verdict.unconfirmed) == ([3], [4])


async def test_a_sample_with_a_survivor_removes_only_what_was_confirmed() -> None:
    missing = list(range(1, 121))
    sample = sorted(random.Random(3).sample(missing, SAMPLE))
    survivor = sample[0]  # the listing missed it, yet it is there: the listing is suspect
    client = Rompslomp({survivor: "present"})
    # A stand-in for RompslompClient (get_contact only), as above.
    verdict = await check_missing(client, 1, CUSTOMERS, missing, rng=random.Random(3))  # type: ignore[arg-type]
    assert sorted(client.asked) == sample
    assert verdict.present == [survivor]
    assert verdict.gone == [i for i in sample if i != survivor]
    assert sorted(verdict.unconfirmed) == sorted(set(missing) - set(sample))


async def test_a_customer_that_becomes_a_supplier_leaves_simons_customers(
    imported: Tenant,
) -> None:
    plain, on_work_order = [c.rompslomp_id for c in (await _customers(imported))[:2]]
    customer = await _customer(imported, on_work_order)
    assert customer is not None
    imported.session.add(
        WorkOrder(
            tenant_id=imported.id,
            number="T1",
            status=WorkOrderStatus.CREATED,
            customer_id=customer.id,
        )
    )
    await imported.session.commit()
    for contact in (plain, on_work_order):
        await imported.rompslomp("PATCH", f"/contacts/{contact}", {"is_supplier": True})

    (run,) = await imported.sync_now("customers")

    assert (run.removed, run.deactivated) == (1, 1)
    assert await _customer(imported, plain) is None
    kept = await _customer(imported, on_work_order)
    assert kept is not None
    assert not kept.active
    messages = [e.message for e in await imported.log_lines("customer")]
    assert any(m.endswith("verwijderd: is nu leverancier in Rompslomp.") for m in messages)
    assert any(
        m.endswith("gedeactiveerd: er staan werkbonnen op (is nu leverancier in Rompslomp).")
        for m in messages
    )


async def test_what_simon_holds_on_a_record_keeps_it_deactivated(imported: Tenant) -> None:
    session = imported.session
    rows = await _customers(imported)
    with_person, with_object, with_address, without = rows[:4]
    session.add_all(
        [
            ContactPerson(tenant_id=imported.id, customer_id=with_person.id, name="Els"),
            CustomerObject(tenant_id=imported.id, customer_id=with_object.id, name="CV-ketel"),
            WorkAddress(
                tenant_id=imported.id,
                customer_id=with_address.id,
                street="Achterom 1",
                source=RecordSource.SIMON,
            ),
        ]
    )
    group = ArticleGroup(tenant_id=imported.id, name="Koper")
    session.add(group)
    await session.flush()
    grouped = await session.scalar(
        select(Article).where(Article.tenant_id == imported.id).order_by(Article.id).limit(1)
    )
    assert grouped is not None
    grouped.article_group_id = group.id
    await session.commit()
    for customer in (with_person, with_object, with_address, without):
        await imported.rompslomp("DELETE", f"/contacts/{customer.rompslomp_id}")
    await imported.rompslomp("DELETE", f"/products/{grouped.rompslomp_id}")

    runs = {r.entity: r for r in await imported.sync_now("customers", "articles")}

    assert (runs[SyncEntity.CUSTOMERS].deactivated, runs[SyncEntity.CUSTOMERS].removed) == (3, 1)
    assert (runs[SyncEntity.ARTICLES].deactivated, runs[SyncEntity.ARTICLES].removed) == (1, 0)
    for customer in (with_person, with_object, with_address):
        kept = await _customer(imported, customer.rompslomp_id or 0)
        assert kept is not None
        assert not kept.active
    # Nothing of Simon's went along.
    assert await imported.count(ContactPerson) == 1
    assert await imported.count(CustomerObject) == 1
    assert await imported.count(WorkAddress, WorkAddress.source == "simon") == 1
    lines = {e.subject: e for e in await imported.log_lines() if e.level == "warning"}
    assert lines[with_person.number].message.endswith(
        "gedeactiveerd: er zijn contactpersonen in Simon (niet meer in Rompslomp)."
    )
    assert "objecten" in lines[with_object.number].message
    assert "werkadressen" in lines[with_address.number].message
    assert lines[grouped.code].message == (
        f"Artikel '{grouped.description}' ({grouped.code}) gedeactiveerd: het zit in een "
        "artikelgroep (niet meer in Rompslomp)."
    )
    assert lines[grouped.code].table_name == "article"
    removed = [e for e in await imported.log_lines("customer") if e.subject == without.number]
    assert [e.message for e in removed] == [
        f"Klant '{without.name}' ({without.number}) verwijderd: niet meer in Rompslomp."
    ]


async def test_a_run_after_the_first_import_logs_one_line_per_change(imported: Tenant) -> None:
    customer = (await _customers(imported))[0]
    await imported.rompslomp("PATCH", f"/contacts/{customer.rompslomp_id}", {"city": "Zwolle"})
    product = await imported.session.scalar(select(Article).where(Article.tenant_id == imported.id))
    assert product is not None
    await imported.rompslomp(
        "PATCH", f"/products/{product.rompslomp_id}", {"price_per_unit": "7.25"}
    )
    added = (await imported.rompslomp("POST", "/contacts", {"company_name": "Nieuw BV"})).json()[
        "contact"
    ]

    await imported.sync_now("customers", "articles")

    lines = [(e.level, e.message, e.subject) for e in await imported.log_lines()]
    number = customer.number
    assert (
        "info",
        f"Klant '{customer.name}' ({number}) gewijzigd vanuit Rompslomp: plaats.",
        number,
    ) in lines
    assert (
        "info",
        f"Klant 'Nieuw BV' ({added['contact_number']}) toegevoegd vanuit Rompslomp.",
        added["contact_number"],
    ) in lines
    assert (
        "info",
        f"Artikel '{product.description}' ({product.code}) gewijzigd vanuit Rompslomp: prijs.",
        product.code,
    ) in lines
    article = await imported.session.get(Article, product.id, populate_existing=True)
    assert article is not None
    assert article.price == Decimal("7.25")
