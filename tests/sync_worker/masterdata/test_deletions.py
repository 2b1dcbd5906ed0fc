"""Deletions only from a complete listing, and the mass-deletion guard (R-MASTER-4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from services.sync_worker.masterdata.guard import deletions_allowed
from shared.enums import LogLevel
from shared.models import Article, Customer, SyncRun
from tests.support.tenants import TenantKey
from tests.sync_worker.masterdata.support import Tenant
from tests.sync_worker.support import Wizard


async def _contact_ids(tenant: Tenant) -> list[int]:
    rows = await tenant.session.scalars(
        select(Customer.rompslomp_id)
        .where(Customer.tenant_id == tenant.id, Customer.source == "rompslomp")
        .order_by(Customer.rompslomp_id)
    )
    return [r for r in rows if r is not None]


async def test_a_listing_that_fails_midway_deletes_nothing(tenant: Tenant) -> None:
    await tenant.rompslomp("POST", "/seed", {"contacts": 300, "seed": 7})
    await tenant.work()
    customers = await tenant.count(Customer)
    assert customers == len(await tenant.customers_in_rompslomp()) > 250
    gone = (await _contact_ids(tenant))[0]
    await tenant.rompslomp("DELETE", f"/contacts/{gone}")
    # Seeded so that the first pages answer and a later one gets a 5xx.
    await tenant.faults(error_rate=0.5, seed=0)

    runs = await tenant.sync_now("customers")

    assert [(r.status, r.removed) for r in runs] == [("queued", 0)]
    assert gone in await _contact_ids(tenant)
    assert await tenant.count(Customer) == customers
    warning = (await tenant.log_lines("customer"))[-1]
    assert warning.level == "warning"
    assert "onderbroken" in warning.message
    assert "niets verwijderd" in warning.message
    waiting = await tenant.waiting_jobs(due_only=False)
    assert [j.args["entity"] for j in waiting] == ["customers"]

    # Rompslomp recovers: the same run completes and removes the contact.
    await tenant.faults()
    (run,) = await tenant.work(due_only=False)
    assert (run.id, run.status, run.removed, run.attempts) == (runs[0].id, "finished", 1, 2)
    assert gone not in await _contact_ids(tenant)


async def test_a_mass_deletion_is_held_until_a_person_confirms(
    imported: Tenant, make_tenant: Callable[..., Awaitable[TenantKey]]
) -> None:
    doomed = (await _contact_ids(imported))[:7]  # 7 of 24 = 29 % > 25 %
    for contact in doomed:
        await imported.rompslomp("DELETE", f"/contacts/{contact}")

    (run,) = await imported.sync_now("customers")
    assert (run.status, run.deactivated, run.removed) == ("finished", 0, 0)
    assert await imported.count(Customer) == 24
    warning = next(e for e in await imported.log_lines("customer") if e.level == "warning")
    assert warning.message.startswith("Rompslomp mist 7 van de 24 klanten (29 %)")
    assert "Verwijderen bevestigen" in warning.action
    assert warning.message_en is not None

    # Running again finds the same: no second warning.
    await imported.sync_now("customers")
    assert [e.level for e in await imported.log_lines("customer")].count(LogLevel.WARNING) == 1

    # Another tenant cannot confirm (or see) these deletions.
    other = Wizard(imported.wizard.client, imported.wizard.sandbox, await make_tenant("B"))
    refused = await other.call(
        "POST", "/sync/confirm-deletions", {"entity": "customers"}, status=409
    )
    assert refused["code"] == "not_active"
    assert await imported.count(Customer) == 24

    confirmed = await imported.call("POST", "/sync/confirm-deletions", {"entity": "customers"})
    assert confirmed == {"entity": "customers", "deactivated": 0, "removed": 7}
    assert set(await _contact_ids(imported)).isdisjoint(doomed)
    assert await imported.count(Customer) == 17
    lines = await imported.log_lines("customer")
    assert lines[-1].message == "Verwijderen van klanten bevestigd: 0 gedeactiveerd, 7 verwijderd."
    # One line per record before it, each naming the customer and its number.
    removed = [e for e in lines[-8:-1] if e.message.endswith("verwijderd: niet meer in Rompslomp.")]
    assert len(removed) == 7
    assert all(e.subject and e.subject.startswith("K") for e in removed)
    again = await imported.call(
        "POST", "/sync/confirm-deletions", {"entity": "customers"}, status=409
    )
    assert again["code"] == "nothing_to_confirm"


async def test_confirm_deletions_refuses_bad_input(imported: Tenant) -> None:
    for body in ({}, {"entity": "orders"}, {"entity": "customers", "extra": 1}):
        problem = await imported.call("POST", "/sync/confirm-deletions", body, status=422)
        assert problem["status"] == 422
    nothing = await imported.call(
        "POST", "/sync/confirm-deletions", {"entity": "articles"}, status=409
    )
    assert nothing["code"] == "nothing_to_confirm"


async def _product_ids(tenant: Tenant) -> list[int]:
    rows = await tenant.session.scalars(
        select(Article.rompslomp_id).where(Article.tenant_id == tenant.id).order_by(Article.id)
    )
    return [r for r in rows if r is not None]


async def test_a_small_administration_is_guarded_too(imported: Tenant) -> None:
    products = await _product_ids(imported)
    for product in products[:3]:  # 3 of 15 = 20 %: allowed
        await imported.rompslomp("DELETE", f"/products/{product}")
    (run,) = await imported.sync_now("articles")
    assert (run.status, run.removed) == ("finished", 3)
    assert await imported.count(Article) == 12

    for product in products[3:7]:  # 4 of 12 = 33 %: held back
        await imported.rompslomp("DELETE", f"/products/{product}")
    (run,) = await imported.sync_now("articles")
    assert (run.status, run.removed) == ("finished", 0)
    assert await imported.count(Article) == 12
    warning = (await imported.log_lines("article"))[-2]
    assert warning.message.startswith("Rompslomp mist 4 van de 12 artikelen (33 %)")


async def test_a_run_that_would_empty_an_entity_waits_for_confirmation(imported: Tenant) -> None:
    for product in await _product_ids(imported):
        await imported.rompslomp("DELETE", f"/products/{product}")
    (run,) = await imported.sync_now("articles")
    assert (run.status, run.removed) == ("finished", 0)
    assert await imported.count(Article) == 15
    confirmed = await imported.call("POST", "/sync/confirm-deletions", {"entity": "articles"})
    assert confirmed == {"entity": "articles", "deactivated": 0, "removed": 15}


async def test_the_sync_now_status_shows_the_waiting_run(imported: Tenant) -> None:
    await imported.call("POST", "/sync", {"customers": True}, status=202)
    status = await imported.call("GET", "")
    customers = next(r for r in status["sync"] if r["entity"] == "customers")
    assert customers["status"] == "queued"
    run = await imported.session.get(SyncRun, customers["id"])
    assert run is not None
    assert run.trigger == "manual"


@pytest.mark.parametrize(
    ("removing", "rows", "allowed"),
    [
        (0, 1000, True),
        (250, 1000, True),  # exactly 25 %
        (251, 1000, False),
        (6, 20, False),
        (5, 20, True),
        (1, 4, True),  # small administrations: the same share
        (1, 3, False),
        (5, 19, False),
        (1, 1, False),  # every row
        (0, 0, True),
    ],
)
def test_the_guard_rule(removing: int, rows: int, allowed: bool) -> None:
    assert deletions_allowed(removing, rows, share=0.25) is allowed
