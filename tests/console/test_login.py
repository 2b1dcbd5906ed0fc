"""Inloggen: office keys only, kept in this tab's sessionStorage, forgotten by Uitloggen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.console.world import Office, Stack, new_tenant

pytestmark = pytest.mark.e2e


async def test_only_an_office_key_logs_in_and_uitloggen_forgets_it(
    console_stack: Stack, page: Any
) -> None:
    _, key = await new_tenant(console_stack, "Console Inloggen BV")
    office = Office(console_stack, key)
    field = await office.simon.post(
        "/employees", json={"name": "Piet Monteur", "email": "piet@login.test", "role": "field"}
    )
    field_key = field.json()["api_key"]
    await office.close()

    await page.goto(console_stack.console)
    key_field = page.get_by_label("API-sleutel")
    await key_field.fill("sim_this-key-does-not-exist")
    await key_field.press("Enter")  # the keyboard submits the form
    await expect(page.get_by_role("alert")).to_contain_text("onbekend")

    await key_field.fill(field_key)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Alleen kantoorsleutels")

    await key_field.fill(key)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Integratie activeren")
    assert await page.evaluate("sessionStorage.getItem('simon.console.apiKey')") == key
    assert await page.evaluate("JSON.stringify(localStorage)") == "{}"
    assert key not in await page.content()  # never shown again

    await page.reload()  # the same tab keeps the login
    await expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    await page.get_by_role("button", name="Uitloggen").click()
    await expect(page.get_by_label("API-sleutel")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('simon.console.apiKey')") is None
