"""GET /logs (R-LOG-2/3): level and table filters, pages of 40 newest first with a total,
Dutch by default and English on `Accept-Language: en`."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.log import writer
from services.sync_worker.log.routes import prefers_english
from tests.conftest import TenantKey


async def _entries(session: AsyncSession, tenant_id: int) -> None:
    for n in range(45):
        writer.write(
            session,
            tenant_id,
            level="info",
            table="customer",
            message=f"Klant {n} toegevoegd aan Simon",
            message_en=f"Customer {n} added to Simon",
        )
    writer.write(
        session,
        tenant_id,
        level="error",
        table="work_order",
        work_order_id=7,
        message="Werkbon 2026-00007 heeft geen klant",
        action="Kies een klant uit Rompslomp en archiveer opnieuw",
        message_en="Work order 2026-00007 has no customer",
        action_en="Choose a customer from Rompslomp and archive again",
    )
    writer.write(session, tenant_id, level="warning", table="article", message="Alleen Nederlands")
    await session.commit()


async def test_pages_of_forty_newest_first_with_total(client, session, office: TenantKey):
    await _entries(session, office.tenant_id)
    first = (await client.get("/api/v1/integration/logs", headers=office.headers)).json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 40, 47)
    assert len(first["items"]) == 40
    assert first["items"][0]["message"] == "Alleen Nederlands"
    assert first["items"][1]["work_order_id"] == 7
    second = (await client.get("/api/v1/integration/logs?page=2", headers=office.headers)).json()
    assert [i["message"] for i in second["items"]] == [
        f"Klant {n} toegevoegd aan Simon" for n in range(6, -1, -1)
    ]


async def test_filters_by_level_and_table(client, session, office: TenantKey):
    await _entries(session, office.tenant_id)
    errors = (
        await client.get("/api/v1/integration/logs?level=error", headers=office.headers)
    ).json()
    assert errors["total"] == 1
    assert errors["items"][0]["action"] == "Kies een klant uit Rompslomp en archiveer opnieuw"
    articles = (
        await client.get("/api/v1/integration/logs?table=article", headers=office.headers)
    ).json()
    assert [i["level"] for i in articles["items"]] == ["warning"]
    bad = await client.get("/api/v1/integration/logs?level=fatal", headers=office.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "level"


async def test_english_on_request_falling_back_to_dutch(client, session, office: TenantKey):
    await _entries(session, office.tenant_id)
    headers = {**office.headers, "Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}
    items = (await client.get("/api/v1/integration/logs?per_page=3", headers=headers)).json()[
        "items"
    ]
    assert items[0]["message"] == "Alleen Nederlands"  # written without English
    assert items[0]["action"] == "No action needed"
    assert items[1]["message"] == "Work order 2026-00007 has no customer"
    assert items[1]["action"] == "Choose a customer from Rompslomp and archive again"
    assert items[2]["message"] == "Customer 44 added to Simon"
    dutch = (
        await client.get("/api/v1/integration/logs?per_page=3", headers=office.headers)
    ).json()["items"]
    assert dutch[2]["message"] == "Klant 44 toegevoegd aan Simon"
    assert dutch[0]["action"] == "Geen actie nodig"


@pytest.mark.parametrize(
    ("header", "english"),
    [
        (None, False),
        ("en", True),
        ("en-US", True),
        ("nl-NL,nl;q=0.9,en;q=0.8", False),
        ("de, en;q=0.5", True),
        ("en;q=0.2, nl;q=0.8", False),
        ("fr", False),
        ("en;q=abc", False),
    ],
)
def test_accept_language(header: str | None, english: bool):
    assert prefers_english(header) is english
