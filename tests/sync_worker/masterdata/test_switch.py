"""Changing the administration (R-SETUP-6, issue 11 §4): a switch needs confirmation, waits
for exports in flight to the old administration, retires the old records (deactivated
where Simon holds data on them), imports the new administration in full, and the log
tells it in three lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from services.sync_worker.masterdata.schedule import tick
from services.sync_worker.masterdata.switch import SWITCH_TASK, carry_out
from shared.enums import WorkOrderStatus
from shared.export_status import ExportStatus
from shared.models import (
    Customer,
    IntegrationSettings,
    InvoiceExport,
    SyncRun,
    WorkOrder,
)
from tests.sync_worker.masterdata.support import Tenant


async def _second_administration(tenant: Tenant) -> int:
    sandbox = tenant.wizard.sandbox
    created = await sandbox.post("/_sandbox/companies", json={"name": "Loodgietersbedrijf Bakker"})
    company_id = int(created.json()["company"]["id"])
    seeded = await sandbox.post(
        f"/_sandbox/companies/{company_id}/seed", json={"contacts": 12, "products": 6, "seed": 9}
    )
    assert seeded.status_code == 201
    return company_id


def _settings(company_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "administration_id": company_id,
        "work_time_product": "P1",
        "accept_terms": True,
        **extra,
    }


async def _switch_jobs(tenant: Tenant) -> int:
    count = await tenant.session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task "
            "AND status = 'todo' AND (args->>'tenant_id')::bigint = :tenant"
        ),
        {"task": SWITCH_TASK, "tenant": tenant.id},
    )
    return int(count or 0)


async def _export(tenant: Tenant, customer: Customer, status: ExportStatus) -> InvoiceExport:
    work_order = WorkOrder(
        tenant_id=tenant.id,
        number="2026-00001",
        status=WorkOrderStatus.ARCHIVED,
        customer_id=customer.id,
    )
    tenant.session.add(work_order)
    await tenant.session.flush()
    export = InvoiceExport(
        tenant_id=tenant.id,
        work_order_id=work_order.id,
        status=status,
        api_reference=f"simon-{tenant.id}-wo-{work_order.id}",
        administration_id=tenant.company_id,
    )
    tenant.session.add(export)
    await tenant.session.commit()
    return export


async def test_another_administration_needs_confirmation_with_the_counts(
    imported: Tenant,
) -> None:
    new = await _second_administration(imported)
    customer = await imported.session.scalar(
        select(Customer).where(Customer.tenant_id == imported.id).limit(1)
    )
    assert customer is not None
    await _export(imported, customer, ExportStatus.SENT)  # a work order keeps its customer

    problem = await imported.call("PUT", "/settings", _settings(new), status=409)

    assert problem["code"] == "administration_switch_unconfirmed"
    customers = await imported.count(Customer)
    assert problem["counts"] == {
        "exports_in_flight": 0,
        "customers_removed": customers - 1,
        "customers_deactivated": 1,
        "articles_removed": 15,
        "articles_deactivated": 0,
    }
    stored = await imported.session.get(IntegrationSettings, imported.id, populate_existing=True)
    assert stored is not None
    assert stored.administration_id == imported.company_id  # nothing changed
    # The same administration is an ordinary edit.
    same = await imported.call("PUT", "/settings", _settings(imported.company_id))
    assert same["switch_from_administration_id"] is None


async def test_a_confirmed_switch_settles_exports_then_imports_the_new_administration(
    imported: Tenant,
) -> None:
    new = await _second_administration(imported)
    old_customers = await imported.count(Customer)
    customer = await imported.session.scalar(
        select(Customer).where(Customer.tenant_id == imported.id).order_by(Customer.id).limit(1)
    )
    assert customer is not None
    export = await _export(imported, customer, ExportStatus.SENDING)
    before = len(await imported.log_lines())

    saved = await imported.call(
        "PUT", "/settings", _settings(new, confirm_administration_switch=True)
    )

    assert saved["administration_id"] == new
    assert saved["switch_from_administration_id"] == imported.company_id
    assert await _switch_jobs(imported) == 1
    # Nothing syncs meanwhile: no runs, and sync now says why.
    assert await imported.work() == []
    busy = await imported.call("POST", "/sync", {"customers": True}, status=409)
    assert busy["code"] == "administration_switch_pending"

    # An export still in flight to the old administration: the switch waits for it.
    assert await carry_out(imported.runtime, imported.id) == "waiting"
    assert await imported.count(Customer) == old_customers
    export.status = ExportStatus.SENT
    # So it does for a sync of the old administration still running.
    job = await imported.session.scalar(
        text(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, status, args) "
            "VALUES ('default', 'masterdata.sync', 'doing', CAST(:args AS jsonb)) RETURNING id"
        ),
        {"args": f'{{"tenant_id": {imported.id}, "entity": "customers"}}'},
    )
    await imported.session.commit()
    assert await carry_out(imported.runtime, imported.id) == "waiting"
    await imported.session.execute(
        text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"), {"id": job}
    )
    await imported.session.commit()
    assert await carry_out(imported.runtime, imported.id) == "switched"

    runs = await imported.work()
    assert {(r.entity, r.trigger, r.status) for r in runs} == {
        ("customers", "switch", "finished"),
        ("articles", "switch", "finished"),
    }
    active = await imported.count(Customer, Customer.active.is_(True))
    kept = await imported.session.get(Customer, customer.id, populate_existing=True)
    assert kept is not None
    assert not kept.active  # the old customer on a work order: deactivated, not deleted
    new_customers = await imported.customers_in_rompslomp(new)
    assert active == len(new_customers)
    stored = await imported.session.get(IntegrationSettings, imported.id, populate_existing=True)
    assert stored is not None
    assert (stored.administration_id, stored.switch_from_administration_id) == (new, None)

    story = [e.message for e in (await imported.log_lines())[before:]]
    assert len(story) == 3, story
    assert story[0].startswith("Administratie gewisseld van 'Installatiebedrijf De Vries B.V.'")
    assert story[1].startswith(
        f"Klanten en artikelen van 'Installatiebedrijf De Vries B.V.' uit Simon gehaald: "
        f"{old_customers - 1} klanten en 15 artikelen verwijderd, 1 klanten en 0 artikelen "
        "gedeactiveerd"
    )
    assert story[2] == (
        f"Administratie 'Loodgietersbedrijf Bakker' ingelezen: {len(new_customers)} klanten "
        "en 6 artikelen toegevoegd."
    )


async def test_a_switch_saved_while_inactive_runs_at_activation(imported: Tenant) -> None:
    new = await _second_administration(imported)
    await imported.call("POST", "/deactivate", {"confirm": True})
    await imported.call("PUT", "/settings", _settings(new), status=409)
    await imported.call("PUT", "/settings", _settings(new, confirm_administration_switch=True))
    assert await carry_out(imported.runtime, imported.id) == "inactive"

    await imported.call("POST", "/activate")

    assert await imported.work() == []  # no resume runs: the switch imports
    assert await _switch_jobs(imported) == 1
    assert await carry_out(imported.runtime, imported.id) == "switched"
    runs = await imported.work()
    assert {r.trigger for r in runs} == {"switch"}
    latest = await imported.session.scalars(
        select(SyncRun.trigger).where(SyncRun.tenant_id == imported.id)
    )
    assert "resume" not in set(latest)


async def test_the_tick_defers_a_switch_again_when_its_job_is_gone(imported: Tenant) -> None:
    new = await _second_administration(imported)
    await imported.call("PUT", "/settings", _settings(new, confirm_administration_switch=True))
    await imported.session.execute(
        text("DELETE FROM procrastinate_jobs WHERE task_name = :task"), {"task": SWITCH_TASK}
    )
    assert await _switch_jobs(imported) == 0

    await tick(imported.runtime)

    assert await _switch_jobs(imported) == 1
    assert await imported.waiting_jobs() == []  # and no sync of the half-switched tenant
