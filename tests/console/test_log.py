"""Logboek: the manual's columns, levels in colour and in words, 40 per page, filters by
one or several levels, table and a record code or work order number, a work order number
that opens its export, and English by the switch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from services.sync_worker.log import writer
from shared.db import create_engine, create_sessionmaker
from shared.enums import LogLevel, LogTable
from tests.console.world import Office, Stack, login, new_tenant

pytestmark = pytest.mark.e2e


async def _write_log(stack: Stack, tenant_id: int, work_order_id: int) -> None:
    """44 lines as the integration writes them: 40 customer infos, 3 article warnings and
    one work order error."""
    engine = create_engine(stack.database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            for n in range(40):
                writer.write(
                    session,
                    tenant_id,
                    level=LogLevel.INFO,
                    table=LogTable.CUSTOMER,
                    message=f"Klant {n} toegevoegd aan Simon",
                    message_en=f"Customer {n} added to Simon",
                )
            for n in range(3):
                writer.write(
                    session,
                    tenant_id,
                    level=LogLevel.WARNING,
                    table=LogTable.ARTICLE,
                    message=f"Artikel A{n} overgeslagen",
                    action="Controleer het artikel in Rompslomp.",
                    subject=f"A{n}",
                )
            writer.write(
                session,
                tenant_id,
                level=LogLevel.ERROR,
                table=LogTable.WORK_ORDER,
                work_order_id=work_order_id,
                message="Werkbon heeft geen klant: er is geen conceptfactuur gemaakt.",
                action="Kies een klant uit Rompslomp en archiveer opnieuw.",
                message_en="The work order has no customer: no concept invoice was created.",
                action_en="Choose a customer from Rompslomp and archive again.",
            )
            await session.commit()
    finally:
        await engine.dispose()


async def test_the_log_pages_filters_links_work_orders_and_speaks_english(
    console_stack: Stack, page: Any
) -> None:
    tenant_id, key = await new_tenant(console_stack, "Console Logboek BV")
    office = Office(console_stack, key)
    order = (await office.simon.post("/work-orders", json={"description": "Lekkage"})).json()
    await office.close()
    await _write_log(console_stack, tenant_id, order["id"])

    await login(page, console_stack, key)
    await page.get_by_role("link", name="Logboek").click()
    headers = page.locator("table.log thead th")
    await expect(headers).to_have_text(["Datum", "Niveau", "Tabel", "Bericht", "Te nemen actie"])
    rows = page.locator("table.log tbody tr")
    await expect(rows).to_have_count(40)
    await expect(page.get_by_text("44 meldingen")).to_be_visible()
    await expect(page.get_by_text("Pagina 1 van 2")).to_be_visible()
    error_row = rows.first  # newest first
    await expect(error_row).to_have_class(re.compile("level-error"))
    await expect(error_row).to_contain_text("Fout")
    await expect(error_row).to_contain_text("Werkbonnen")
    colour = await error_row.evaluate("row => getComputedStyle(row).backgroundColor")
    assert colour == "rgb(253, 232, 232)", colour  # red (manual 8.4)

    await page.get_by_role("link", name="Volgende").click()
    await expect(page.get_by_text("Pagina 2 van 2")).to_be_visible()
    await expect(rows).to_have_count(4)

    await page.get_by_label("Waarschuwing").check()
    await expect(rows).to_have_count(3)
    await expect(page.locator("table.log tbody tr.level-warning")).to_have_count(3)
    await page.get_by_label("Fout").check()  # several levels at once
    await expect(rows).to_have_count(4)
    await expect(page.locator("table.log tbody tr.level-error")).to_have_count(1)
    await page.get_by_label("Fout").uncheck()
    await expect(rows).to_have_count(3)
    await page.get_by_label("Waarschuwing").uncheck()
    await expect(page.get_by_text("44 meldingen")).to_be_visible()  # the screen is redrawn

    search = page.get_by_label("Zoek op werkbonnummer of code")
    await search.fill("a1")  # an article code, any case
    await page.get_by_role("button", name="Filteren").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Artikel A1 overgeslagen")
    await expect(page.get_by_text("1 melding", exact=True)).to_be_visible()
    await search.fill(order["number"])
    await page.get_by_role("button", name="Filteren").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Werkbon heeft geen klant")
    await search.fill("")
    await page.get_by_role("button", name="Filteren").click()
    await expect(page.get_by_text("44 meldingen")).to_be_visible()
    await page.get_by_label("Tabel", exact=True).select_option(label="Klanten")
    await expect(page.get_by_text("40 meldingen")).to_be_visible()
    await page.get_by_label("Tabel", exact=True).select_option(label="Werkbonnen")
    await expect(rows).to_have_count(1)

    await page.get_by_role("link", name=f"Werkbon {order['number']}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Facturen")
    await expect(page.get_by_text(f"Alleen werkbon {order['number']}.")).to_be_visible()
    await expect(
        page.get_by_text("Voor deze werkbon is (nog) niets naar Rompslomp")
    ).to_be_visible()

    await page.get_by_role("link", name="Logboek").click()
    await page.get_by_role("button", name="English").click()
    await expect(headers).to_have_text(["Date", "Level", "Table", "Message", "Action to take"])
    await expect(rows.first).to_contain_text("The work order has no customer")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_role("button", name="Nederlands").click()
    await expect(headers.first).to_have_text("Datum")
