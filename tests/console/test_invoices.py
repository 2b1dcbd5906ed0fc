"""Facturen: every status in the filter (all shown by default), a failed export with its
problem and Opnieuw versturen, and Voorbeeld factuur with the lines and what blocks them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.console.world import Office, Stack, archived_work_order, login, new_tenant, wait_for

pytestmark = pytest.mark.e2e
STATUS_LABELS = [
    "Alle",
    "In wachtrij",
    "Bezig",
    "Onzeker",
    "Verstuurd",
    "Mislukt",
    "Overgeslagen",
    "Verwijderd in Rompslomp",
]


async def test_invoices_show_statuses_a_failed_export_and_its_preview(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Facturen BV")
    office = Office(console_stack, key)
    company = await office.company("Facturen Installaties B.V.", contacts=3, products=3)
    work = await office.product(company, "ARB-1", "Arbeidsloon monteur per uur", "62.50")
    await office.activate(company, work_time_product=work)
    await office.idle()
    sent = await archived_work_order(office)
    failed = await archived_work_order(office, with_customer=False)

    async def settled() -> bool:
        items = (await office.call("GET", "/exports"))["items"]
        return {e["status"] for e in items} == {"sent", "failed"}

    await wait_for(settled, "one export sent and one failed")

    await login(page, console_stack, key)
    await page.get_by_role("link", name="Facturen").click()
    status = page.get_by_label("Status")
    await expect(status.locator("option")).to_have_text(STATUS_LABELS)
    await expect(status).to_have_value("")  # all, by default
    failed_row = page.get_by_role("row", name=re.compile(failed["number"]))
    sent_row = page.get_by_role("row", name=re.compile(sent["number"]))
    await expect(sent_row).to_contain_text("Verstuurd")
    await expect(sent_row.get_by_role("button", name="Opnieuw versturen")).to_have_count(0)
    await expect(failed_row).to_contain_text("Mislukt")
    await expect(failed_row).to_contain_text("heeft geen klant")

    # The cause is the work order itself: resending cannot help, and the console says why.
    await failed_row.get_by_role("button", name="Opnieuw versturen").click()
    await expect(page.get_by_role("alert")).to_contain_text("heropen hem in Simon")

    await failed_row.get_by_role("button", name="Voorbeeld factuur").click()
    dialog = page.get_by_role("dialog", name=f"Voorbeeld factuur werkbon {failed['number']}")
    await expect(dialog.get_by_role("row", name=re.compile("Arbeidsloon monteur"))).to_contain_text(
        "1"
    )
    await expect(dialog.get_by_role("listitem")).to_contain_text(["heeft geen klant"])
    await dialog.get_by_role("button", name="Sluiten").click()

    await status.select_option(label="Verstuurd")
    await expect(page).to_have_url(re.compile(r"#/facturen\?status=sent$"))
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.get_by_role("row", name=re.compile(sent["number"]))).to_be_visible()

    # The office threw the concept invoice away in Rompslomp: "Controleer in Rompslomp"
    # finds it gone and the export reads "Verwijderd in Rompslomp" (the work order may then
    # be reopened and archived again).
    await office.delete_invoice(company, sent["id"])
    await status.select_option(label="Alle")
    await expect(page.locator("tbody tr")).to_have_count(2)  # the screen is redrawn
    sent_row = page.get_by_role("row", name=re.compile(sent["number"]))
    await sent_row.get_by_role("button", name="Controleer in Rompslomp").click()
    # The check asks Rompslomp; on a loaded machine that takes more than the default 5 s.
    await expect(sent_row).to_contain_text("Verwijderd in Rompslomp", timeout=30_000)
    await expect(sent_row.get_by_role("button", name="Controleer in Rompslomp")).to_have_count(0)
    await office.close()
