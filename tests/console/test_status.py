"""Status: the badge, the tables as the manual names them, the deletion guard's banner,
Nu synchroniseren by keyboard, readable at 360 px, Opnieuw koppelen; and Activeren again
after a deactivation, with tick boxes per table."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.console.world import Office, Stack, login, new_tenant

pytestmark = pytest.mark.e2e


async def test_status_holds_deletions_until_confirmed_and_works_by_keyboard_at_360_px(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Status BV")
    office = Office(console_stack, key)
    company = await office.company("Status Installaties B.V.", contacts=30, products=3)
    await office.activate(company)
    await office.idle()
    customers = (await office.simon.get("/customers", params={"limit": 10})).json()["items"]
    for customer in customers:  # 10 of 30 gone in Rompslomp: over the guard's 25 %
        gone = await office.sandbox.delete(
            f"/_sandbox/companies/{company}/contacts/{customer['rompslomp_id']}"
        )
        assert gone.status_code == 204, gone.text
    await office.call("POST", "/sync", json={"customers": True})
    await office.idle()

    await page.set_viewport_size({"width": 360, "height": 740})
    await login(page, console_stack, key)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Status")
    await expect(page.get_by_text("ACTIEF", exact=True)).to_be_visible()
    for name in ("Klanten", "Artikelen", "Werkadressen", "Artikelgroepen"):
        await expect(page.get_by_role("rowheader", name=name)).to_be_visible()
    await expect(page.get_by_text("Rompslomp mist 10 klanten")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"

    # The keyboard opens "Nu synchroniseren"; Esc closes it and gives the focus back.
    sync_now = page.get_by_role("button", name="Nu synchroniseren")
    await sync_now.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Synchroniseren")
    await expect(dialog.get_by_label("Klanten")).to_be_focused()
    await expect(dialog.get_by_label("Artikelen")).to_be_checked()
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(sync_now).to_be_focused()

    await page.get_by_role("button", name="Verwijderen bevestigen").click()
    await expect(page.get_by_text("Verwijderen bevestigd:")).to_be_visible()
    await expect(page.get_by_role("button", name="Verwijderen bevestigen")).to_have_count(0)

    # Rompslomp withdraws the grant: the state asks to connect again, and connecting heals it.
    await office.sandbox.post("/_sandbox/tokens/revoke", json={})
    refused = await office.request("GET", "/administrations")
    assert refused.status_code == 409, refused.text
    await page.reload()
    await expect(page.get_by_text("OPNIEUW KOPPELEN", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Opnieuw koppelen").click()
    await page.get_by_role("button", name="Toestaan").click()
    await expect(page.get_by_text("Koppeling met Rompslomp gemaakt.")).to_be_visible()
    await expect(page.get_by_text("ACTIEF", exact=True)).to_be_visible()
    await office.close()


async def test_activating_again_offers_the_tables_to_empty_as_tick_boxes(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Heractivering BV")
    office = Office(console_stack, key)
    company = await office.company("Heractivering B.V.", contacts=5, products=3)
    await office.activate(company)
    await office.idle()
    await office.call("POST", "/deactivate", json={"confirm": True})

    await login(page, console_stack, key)
    await expect(page.get_by_text("INACTIEF", exact=True)).to_be_visible()
    await page.get_by_role("main").get_by_role("link", name="Activeren").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Integratie opnieuw activeren")
    for table in ("Artikelen", "Klanten", "Werkbonnen"):
        await expect(page.get_by_label(table, exact=True)).not_to_be_checked()
    await page.get_by_label("Artikelen", exact=True).check()
    await page.get_by_role("button", name="Leegmaken").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Artikelen (3)")
    await dialog.get_by_role("button", name="Ja, leegmaken").click()
    await expect(page.get_by_text("Gewist.", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Activeren", exact=True).click()
    await expect(page.get_by_text("De integratie is weer actief.")).to_be_visible()
    await expect(page.get_by_text("ACTIEF", exact=True)).to_be_visible()
    await office.close()
