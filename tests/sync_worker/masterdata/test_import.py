"""The first import after activation (R-MASTER-1/2, R-SYNC-1) and a re-run that finds
nothing changed, which must write nothing."""

from __future__ import annotations

from sqlalchemy import select, text

from services.sync_worker.rompslomp.connection import connected
from shared.models import Article, Customer, WorkAddress
from tests.sync_worker.masterdata.support import Tenant


async def test_activation_queues_a_run_and_its_job_per_entity(tenant: Tenant) -> None:
    status = await tenant.call("GET", "")
    assert {(r["entity"], r["status"]) for r in status["sync"]} == {
        ("customers", "queued"),
        ("articles", "queued"),
    }
    jobs = await tenant.waiting_jobs()
    assert sorted(j.args["entity"] for j in jobs) == ["articles", "customers"]


async def test_the_first_import_brings_every_customer_and_product(tenant: Tenant) -> None:
    rt = tenant.runtime
    async with connected(rt.rompslomp, rt.sessions, tenant.id) as rompslomp:
        everyone = await rompslomp.iter_contacts(tenant.company_id).collect()
        products = await rompslomp.list_products(tenant.company_id)
    contacts = [c for c in everyone if not c.is_supplier]
    assert 0 < len(contacts) < len(everyone)  # the demo has a supplier: not a customer
    runs = await tenant.work()
    assert {(r.entity, r.status, r.fetched, r.total, r.added) for r in runs} == {
        ("customers", "finished", len(contacts), len(contacts), len(contacts)),
        ("articles", "finished", 15, 15, 15),
    }

    customers = {
        c.rompslomp_id: c
        for c in await tenant.session.scalars(
            select(Customer).where(Customer.tenant_id == tenant.id)
        )
    }
    assert len(customers) == len(contacts)
    for contact in contacts:
        customer = customers[contact.id]
        assert customer.name == contact.name
        assert customer.number == contact.contact_number
        assert customer.email == contact.contact_person_email_address
        assert (customer.address, customer.city) == (contact.address, contact.city)
    assert all(c.source == "rompslomp" and c.active for c in customers.values())

    addresses = list(
        await tenant.session.scalars(select(WorkAddress).where(WorkAddress.tenant_id == tenant.id))
    )
    by_customer = {a.customer_id: a for a in addresses}
    with_address = [c for c in customers.values() if c.address or c.city]
    assert len(addresses) == len(with_address) > 0
    for customer in with_address:
        address = by_customer[customer.id]
        assert (address.street, address.zipcode, address.city, address.source) == (
            customer.address,
            customer.zipcode,
            customer.city,
            "rompslomp",
        )

    articles = list(
        await tenant.session.scalars(select(Article).where(Article.tenant_id == tenant.id))
    )
    assert len(articles) == 15
    assert {a.code for a in articles} >= {"P1", "P2"}
    by_id = {a.rompslomp_id: a for a in articles}
    for product in products:
        line = product.invoice_line
        assert line is not None
        article = by_id[product.id]
        assert article.code == line.product_code
        assert article.description == line.description
        assert article.price == line.price_per_unit
        assert article.vat_type_id == line.vat_type_id


async def test_progress_and_one_summary_line_per_entity(tenant: Tenant) -> None:
    await tenant.work()
    status = await tenant.call("GET", "")
    for run in status["sync"]:
        assert run["status"] == "finished"
        assert run["fetched"] == run["total"] == run["added"]
        assert run["started_at"] <= run["finished_at"]
    lines = [(e.table_name, e.level, e.message, e.message_en) for e in await tenant.log_lines()]
    n = await tenant.count(Customer)
    assert (
        "customer",
        "info",
        f"Klanten bijgewerkt vanuit Rompslomp: {n} toegevoegd, 0 gewijzigd, 0 gedeactiveerd, "
        "0 verwijderd.",
        f"Customers updated from Rompslomp: {n} added, 0 changed, 0 deactivated, 0 removed.",
    ) in lines
    assert len([line for line in lines if line[0] == "customer"]) == 1
    assert len([line for line in lines if line[0] == "article"]) == 1


async def _versions(tenant: Tenant) -> dict[str, list[tuple[int, str]]]:
    """Every master-data row's transaction id of its last write (xmin)."""
    versions = {}
    for table in ("customers", "articles", "work_addresses"):
        rows = await tenant.session.execute(
            text(f"SELECT id, xmin::text FROM {table} WHERE tenant_id = :t ORDER BY id"),  # noqa: S608
            {"t": tenant.id},
        )
        versions[table] = [(r[0], r[1]) for r in rows]
    return versions


async def test_an_identical_rerun_writes_nothing(imported: Tenant) -> None:
    before = await _versions(imported)
    runs = await imported.sync_now("customers", "articles")
    assert {(r.entity, r.status, r.added, r.changed, r.removed) for r in runs} == {
        ("customers", "finished", 0, 0, 0),
        ("articles", "finished", 0, 0, 0),
    }
    assert await _versions(imported) == before
    assert len(before["customers"]) == await imported.count(Customer) > 0
