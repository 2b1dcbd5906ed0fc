"""The windows that remained (issue #10 §4): an invoice deleted in Rompslomp (the check
endpoint, the daily reconcile), a work order archived again after its invoice was sent,
an archived work order whose export job died before its first commit."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import select, text, update

from services.sync_worker.export.queue import defer_orphans
from services.sync_worker.export.reconcile import reconcile_tenant
from services.sync_worker.rompslomp import RetriableError
from shared.models import IntegrationLogEntry, InvoiceExport, WorkOrder
from tests.sync_worker.export.support import Shop

P = "/api/v1/integration"


async def delete_invoice(shop: Shop, invoice_id: int) -> None:
    answer = await shop.sandbox.delete(
        f"/_sandbox/companies/{shop.company_id}/sales_invoices/{invoice_id}"
    )
    assert answer.status_code == 204


async def warnings(shop: Shop, work_order_id: int) -> list[str]:
    rows = await shop.session.scalars(
        select(IntegrationLogEntry.message)
        .where(
            IntegrationLogEntry.work_order_id == work_order_id,
            IntegrationLogEntry.level == "warning",
        )
        .order_by(IntegrationLogEntry.id)
    )
    return list(rows)


async def test_check_finds_a_deleted_invoice_and_the_next_archive_sends_a_new_reference(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order()
    assert await shop.export(await shop.archive(work_order)) == "sent"
    (invoice,) = await shop.invoices()
    await delete_invoice(shop, invoice["id"])

    answer = await client.post(f"{P}/exports/{work_order.id}/check", headers=shop.key.headers)

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "removed"
    (warning,) = await warnings(shop, work_order.id)
    assert warning.startswith(f"De conceptfactuur van werkbon {work_order.number} bestaat niet")
    # simon_api lets the office reopen (tests/simon_api); it archives again:
    await shop.reopen(work_order)
    assert await shop.export(await shop.archive(work_order)) == "sent"
    (again,) = await shop.invoices()
    assert again["api_reference"] == f"simon-{shop.tenant_id}-wo-{work_order.id}-2"
    row = await shop.export_row(work_order)
    assert (row.status, row.rompslomp_invoice_id, row.archive_seq) == ("sent", again["id"], 2)


async def test_check_of_an_invoice_still_there_keeps_it_sent(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order()
    assert await shop.export(await shop.archive(work_order)) == "sent"

    answer = await client.post(f"{P}/exports/{work_order.id}/check", headers=shop.key.headers)

    assert (answer.status_code, answer.json()["status"]) == (200, "sent")


async def test_check_is_refused_unless_the_export_was_sent(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    work_order = await shop.work_order(customer=False)
    assert await shop.export(await shop.archive(work_order)) == "failed"

    answer = await client.post(f"{P}/exports/{work_order.id}/check", headers=shop.key.headers)

    assert (answer.status_code, answer.json()["code"]) == (409, "export_not_sent")


async def test_the_daily_reconcile_lists_by_date_and_marks_only_deleted_invoices_removed(
    shop: Shop,
) -> None:
    kept, deleted = await shop.work_order(), await shop.work_order()
    for work_order in (kept, deleted):
        assert await shop.export(await shop.archive(work_order)) == "sent"
    # Other invoices of the administration: 150 in all, so the listing takes two pages.
    for _ in range(148):
        await shop.invoice_made_elsewhere()
    await delete_invoice(shop, (await shop.export_row(deleted)).rompslomp_invoice_id or 0)
    await shop.sandbox.post("/_sandbox/stats/reset")

    assert await reconcile_tenant(shop.sessions, shop.rompslomp, shop.tenant_id) == 1

    assert (await shop.export_row(kept)).status == "sent"
    assert (await shop.export_row(deleted)).status == "removed"
    stats = await shop.sandbox_stats()
    # Two pages of 100, then one GET confirming the missing invoice (404).
    assert (stats["requests"], stats["by_status"]) == (3, {"200": 2, "404": 1})


async def test_the_daily_reconcile_removes_nothing_when_rompslomp_fails(shop: Shop) -> None:
    work_order = await shop.work_order()
    assert await shop.export(await shop.archive(work_order)) == "sent"
    await delete_invoice(shop, (await shop.export_row(work_order)).rompslomp_invoice_id or 0)
    await shop.sandbox.put("/_sandbox/faults", json={"error_rate": 1.0})

    with pytest.raises(RetriableError):  # the job engine retries it later
        await reconcile_tenant(shop.sessions, shop.rompslomp, shop.tenant_id)

    assert (await shop.export_row(work_order)).status == "sent"


async def test_archived_again_after_the_invoice_was_sent_warns_the_office(shop: Shop) -> None:
    work_order = await shop.work_order()
    assert await shop.export(await shop.archive(work_order)) == "sent"
    await shop.reopen(work_order)  # e.g. reopened while the export was failed, sent after all

    assert await shop.export(await shop.archive(work_order)) == "ignored"

    assert len(await shop.invoices()) == 1
    (warning,) = await warnings(shop, work_order.id)
    assert warning.startswith(f"Werkbon {work_order.number} is opnieuw gearchiveerd")


async def test_an_archive_whose_job_died_before_its_first_commit_is_swept_up(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)  # no export job ran: no row
    handled = await shop.work_order()
    assert await shop.export(await shop.archive(handled)) == "sent"
    await shop.session.execute(
        update(WorkOrder)
        .where(WorkOrder.tenant_id == shop.tenant_id)
        .values(archived_at=WorkOrder.archived_at - dt.timedelta(minutes=5))
    )

    assert await defer_orphans(shop.session, archived_for=dt.timedelta(minutes=1)) == 1

    queued = await shop.session.scalar(
        text(
            "SELECT (args->>'event_id')::bigint FROM procrastinate_jobs"
            " WHERE status = 'todo' AND lock = :lock"
        ),
        {"lock": f"export:{shop.tenant_id}:{work_order.id}"},
    )
    assert queued == event_id
    assert await shop.export(event_id) == "sent"
    rows = await shop.session.scalar(
        select(InvoiceExport.status).where(InvoiceExport.work_order_id == work_order.id)
    )
    assert rows == "sent"
