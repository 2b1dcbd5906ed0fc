"""Instellingen after activation: the saved values, the manual's note that changes apply
from now on, products searched by code or name, a refused save named at its field, and the
history."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.console.world import Office, Stack, login, new_tenant

pytestmark = pytest.mark.e2e


async def test_settings_show_search_save_and_keep_a_history(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Instellingen BV")
    office = Office(console_stack, key)
    company = await office.company("Instellingen Installaties B.V.", contacts=3, products=12)
    chosen = await office.product(company, "ARB-1", "Arbeidsloon monteur per uur", "62.50")
    other = await office.product(company, "REIS-9", "Reistijd per uur", "55.00")
    await office.activate(company, work_time_product=chosen, filter_word="garantie")
    await office.close()

    await login(page, console_stack, key)
    await page.get_by_role("link", name="Instellingen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Instellingen")
    await expect(
        page.get_by_text("Dit wordt niet gecorrigeerd met terugwerkende kracht").first
    ).to_be_visible()
    await expect(page.get_by_label("Administratie")).to_have_value(str(company))
    work_time = page.get_by_label("Werktijd", exact=True)
    await expect(work_time).to_have_value(str(chosen))
    await expect(page.get_by_label("Reistijd", exact=True)).to_have_value("")
    await expect(page.get_by_label("Filterwoord")).to_have_value("garantie")

    # Searching by code narrows the list to that product (plus "geen" and the chosen one).
    travel = page.locator(".product").filter(has=page.get_by_label("Reistijd", exact=True))
    await travel.get_by_label("Zoek artikel op code of naam").fill("REIS-9")
    await expect(travel.get_by_role("option")).to_have_count(2)
    await page.get_by_label("Reistijd", exact=True).select_option(value=str(other))
    await expect(travel.get_by_text("Gecontroleerd: REIS-9")).to_be_visible()

    terms = page.get_by_label("Ik ga akkoord met de voorwaarden")
    await terms.uncheck()
    await page.get_by_label("Filterwoord").fill("intern")
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("Ga akkoord met de voorwaarden")
    await expect(terms).to_have_attribute("aria-invalid", "true")
    await expect(terms).to_be_focused()

    await terms.check()
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_text("Instellingen opgeslagen.")).to_be_visible()
    history = page.get_by_role("table", name="Geschiedenis").locator("tbody tr")
    await expect(history).to_have_count(2)
    await expect(history.first).to_contain_text("intern")
    await expect(history.first).to_contain_text("REIS-9")
    await expect(history.nth(1)).to_contain_text("garantie")


async def test_another_administration_is_a_switch_the_office_confirms(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Wissel BV")
    office = Office(console_stack, key)
    first = await office.company("Wissel Eerste B.V.", contacts=4, products=2)
    second = await office.company("Wissel Tweede B.V.", contacts=3, products=2)
    await office.activate(first)
    await office.close()

    await login(page, console_stack, key)
    await page.get_by_role("link", name="Instellingen").click()
    await expect(page.get_by_label("Administratie")).to_have_value(str(first))
    await page.get_by_label("Administratie").select_option(value=str(second))
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Andere administratie kiezen?")
    await expect(dialog).to_contain_text("Klanten die uit Simon verdwijnen")
    await expect(dialog).to_contain_text("Facturen die nog onderweg zijn")
    # Not confirmed: nothing changes.
    await dialog.get_by_role("button", name="Annuleren").click()
    await page.reload()
    await expect(page.get_by_label("Administratie")).to_have_value(str(first))

    await page.get_by_label("Administratie").select_option(value=str(second))
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await page.get_by_role("dialog").get_by_role("button", name="Ja, andere administratie").click()
    await expect(page.get_by_text("Instellingen opgeslagen.")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Administratie")).to_have_value(str(second))
