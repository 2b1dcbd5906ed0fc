"""The office's whole story in the browser, against the sandbox: login → wipe → connect
(Rompslomp's consent page, refused once, then allowed) → settings → ACTIEF → the first
import visible with progress → Nu synchroniseren → the log filtered to warnings → a failed
export fixed in the settings and resent → deactivate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.console.world import Office, Stack, archived_work_order, login, new_tenant, wait_for

pytestmark = pytest.mark.e2e
CONTACTS = 300


async def test_the_office_walks_from_login_to_deactivation(console_stack: Stack, page: Any) -> None:
    _, key = await new_tenant(console_stack, "Console Wandeling BV")
    office = Office(console_stack, key)
    company = await office.company("Wandeling Installaties B.V.", contacts=CONTACTS, products=4)
    customers_in_rompslomp = await office.customer_count(company)  # suppliers are not imported
    assert 0 < customers_in_rompslomp <= CONTACTS
    work = await office.product(company, "ARB-1", "Arbeidsloon monteur per uur", "62.50")
    other_work = await office.product(company, "ARB-2", "Arbeidsloon leerling per uur", "41.00")
    travel = await office.product(company, "REIS", "Reistijd per uur", "55.00")

    # -- login, step 1: wipe ---------------------------------------------------------------
    await login(page, console_stack, key)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Integratie activeren")
    await page.get_by_role("button", name="Leegmaken").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("definitief leeggemaakt")
    await dialog.get_by_role("button", name="Ja, leegmaken").click()
    await expect(page.get_by_text("Gewist.", exact=True)).to_be_visible()

    # -- step 2: connect at Rompslomp's consent page (refused once, then allowed) ----------
    await page.get_by_role("button", name="Koppel met Rompslomp").click()
    await page.get_by_role("button", name="Weigeren").click()
    await expect(page.get_by_role("alert")).to_contain_text("geen toegang gekregen")
    await page.get_by_role("button", name="Koppel met Rompslomp").click()
    await expect(page.get_by_role("heading", name="Toegang verlenen")).to_be_visible()
    await page.get_by_role("button", name="Toestaan").click()
    await expect(page.get_by_text("Koppeling met Rompslomp gemaakt.")).to_be_visible()
    await expect(page.get_by_text("Gekoppeld met Rompslomp.")).to_be_visible()

    # -- step 3: settings ------------------------------------------------------------------
    await page.get_by_label("Administratie").select_option(label="Wandeling Installaties B.V.")
    work_time = page.locator(".product").filter(has=page.get_by_label("Werktijd", exact=True))
    await work_time.get_by_label("Zoek artikel op code of naam").fill("ARB")
    await expect(work_time.get_by_role("option")).to_have_count(3)  # geen, ARB-1, ARB-2
    await page.get_by_label("Werktijd", exact=True).select_option(value=str(work))
    await expect(work_time.get_by_text("Gecontroleerd: ARB-1")).to_be_visible()
    await page.get_by_label("Reistijd", exact=True).select_option(value=str(travel))
    await expect(page.get_by_label("Standaard artikel", exact=True)).to_have_value("")  # geen
    await page.get_by_label("Omschrijving als eerste regel").check()
    await page.get_by_label("Filterwoord").fill("garantie")
    await page.get_by_label("Ik ga akkoord met de voorwaarden").check()
    # Rompslomp slows down, so the first import's progress can be watched.
    await office.sandbox.put("/_sandbox/faults", json={"latency_ms": 2000})
    await page.get_by_role("button", name="Opslaan en activeren").click()

    # -- ACTIEF, the first import with progress --------------------------------------------
    await expect(page.get_by_text("INTEGRATIE SUCCESVOL!")).to_be_visible(timeout=60_000)
    await expect(page.get_by_text("ACTIEF", exact=True)).to_be_visible()
    customers = page.get_by_role("progressbar", name="Klanten")
    await expect(customers).to_have_attribute(
        "aria-valuemax", str(customers_in_rompslomp), timeout=60_000
    )
    assert 0 < int(await customers.get_attribute("aria-valuenow") or 0) <= customers_in_rompslomp
    await office.sandbox.delete("/_sandbox/faults")
    await expect(page.get_by_text(re.compile(r"Klanten: klaar op"))).to_be_visible(timeout=60_000)
    await expect(
        page.get_by_role("row", name=re.compile(f"^Klanten {customers_in_rompslomp}"))
    ).to_be_visible()

    # -- Nu synchroniseren -----------------------------------------------------------------
    await page.get_by_role("button", name="Nu synchroniseren").click()
    dialog = page.get_by_role("dialog", name="Synchroniseren")
    await dialog.get_by_label("Artikelen").uncheck()
    await dialog.get_by_role("button", name="Synchroniseren").click()
    await expect(page.get_by_text("Synchronisatie gestart.")).to_be_visible()

    async def manual_run_finished() -> bool:
        runs = (await office.call("GET", "/sync-runs"))["items"]
        return any(r["trigger"] == "manual" and r["status"] == "finished" for r in runs)

    await wait_for(manual_run_finished, "the manual customer sync")

    # -- the log, filtered to warnings -----------------------------------------------------
    await page.get_by_role("link", name="Logboek").click()
    await page.get_by_label("Waarschuwing").check()
    await expect(page).to_have_url(re.compile(r"#/logboek\?niveau=warning$"))
    refused = page.get_by_role("row", name=re.compile("Koppelen met Rompslomp is geweigerd"))
    await expect(refused).to_contain_text("Waarschuwing")
    await expect(page.locator("table.log tbody tr:not(.level-warning)")).to_have_count(0)

    # -- a failed export, fixed in the settings and resent ---------------------------------
    deleted = await office.sandbox.delete(f"/_sandbox/companies/{company}/products/{work}")
    assert deleted.status_code == 204, deleted.text
    order = await archived_work_order(office)

    async def failed() -> bool:
        exports = await office.call("GET", "/exports", params={"work_order_id": order["id"]})
        return bool(exports["items"]) and exports["items"][0]["status"] == "failed"

    await wait_for(failed, "the export to fail")
    await page.get_by_role("link", name="Facturen").click()
    await page.get_by_label("Status").select_option(label="Mislukt")
    row = page.get_by_role("row", name=re.compile(order["number"]))
    await expect(row).to_contain_text("Mislukt")
    await expect(row).to_contain_text("bestaat niet meer in Rompslomp")

    await page.get_by_role("link", name="Instellingen").click()
    await page.get_by_label("Werktijd", exact=True).select_option(value=str(other_work))
    await expect(page.get_by_text("Gecontroleerd: ARB-2")).to_be_visible()
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_text("Instellingen opgeslagen.")).to_be_visible()

    await page.get_by_role("link", name="Facturen").click()
    row = page.get_by_role("row", name=re.compile(order["number"]))
    await row.get_by_role("button", name="Opnieuw versturen").click()
    await expect(row).to_contain_text("Verstuurd", timeout=60_000)

    # -- deactivate ------------------------------------------------------------------------
    await page.get_by_role("link", name="Status").click()
    await page.get_by_role("button", name="Deactiveren").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text(
        "Weet je zeker dat je de integratie met Rompslomp wilt stopzetten?"
    )
    await dialog.get_by_role("button", name="Ja, deactiveren").click()
    await expect(page.get_by_text("INACTIEF", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Activeren").first).to_be_visible()
    await office.close()
