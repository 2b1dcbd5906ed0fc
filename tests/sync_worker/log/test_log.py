"""GET /logs (R-LOG-2/3): level and table filters, pages of 40 newest first with a total,
Dutch by default and English on `Accept-Language: en`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.sync_worker.log import writer
from services.sync_worker.log.routes import prefers_english
from shared.enums import LogLevel, LogTable, WorkOrderStatus
from shared.models import IntegrationLogEntry, WorkOrder
from tests.support.tenants import TenantKey


async def _entries(session: AsyncSession, tenant_id: int, work_order_id: int = 7) -> None:
    for n in range(45):
        writer.write(
            session,
            tenant_id,
            level=LogLevel.INFO,
            table=LogTable.CUSTOMER,
            message=f"Klant {n} toegevoegd aan Simon",
            message_en=f"Customer {n} added to Simon",
        )
    writer.write(
        session,
        tenant_id,
        level=LogLevel.ERROR,
        table=LogTable.WORK_ORDER,
        work_order_id=work_order_id,
        message="Werkbon 2026-00007 heeft geen klant",
        action="Kies een klant uit Rompslomp en archiveer opnieuw",
        message_en="Work order 2026-00007 has no customer",
        action_en="Choose a customer from Rompslomp and archive again",
    )
    writer.write(
        session,
        tenant_id,
        level=LogLevel.WARNING,
        table=LogTable.ARTICLE,
        message="Alleen Nederlands",
    )
    await session.commit()


async def test_pages_of_forty_newest_first_with_total(
    client: httpx.AsyncClient, session: AsyncSession, office: TenantKey
) -> None:
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


async def test_filters_by_level_and_table(
    client: httpx.AsyncClient, session: AsyncSession, office: TenantKey
) -> None:
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


async def test_english_on_request_falling_back_to_dutch(
    client: httpx.AsyncClient, session: AsyncSession, office: TenantKey
) -> None:
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
def test_accept_language(header: str | None, english: bool) -> None:
    assert prefers_english(header) is english


async def test_several_levels_at_once(
    client: httpx.AsyncClient, session: AsyncSession, office: TenantKey
) -> None:
    await _entries(session, office.tenant_id)
    both = await client.get("/api/v1/integration/logs?level=warning,error", headers=office.headers)
    assert both.status_code == 200
    assert [i["level"] for i in both.json()["items"]] == ["warning", "error"]
    assert both.json()["total"] == 2
    for bad in ("warning,fatal", ",", "info,,x"):
        problem = await client.get(
            "/api/v1/integration/logs", params={"level": bad}, headers=office.headers
        )
        assert problem.status_code == 422
        assert problem.json()["errors"][0]["field"] == "level"


async def test_q_finds_a_record_code_or_a_work_order_number(
    client: httpx.AsyncClient,
    session: AsyncSession,
    office: TenantKey,
    make_tenant: Callable[..., Awaitable[TenantKey]],
) -> None:
    # Its own id from the sequence: a fixed id may be taken by a row another test committed.
    work_order = WorkOrder(
        tenant_id=office.tenant_id, number="2026-00007", status=WorkOrderStatus.ARCHIVED
    )
    session.add(work_order)
    await session.flush()
    await _entries(session, office.tenant_id, work_order.id)
    entries = [
        writer.Entry(LogLevel.INFO, "Klant 'Bakkerij Jansen' (K00012) gewijzigd", subject="K00012"),
        writer.Entry(LogLevel.WARNING, "Artikel P123 overgeslagen", subject="P123"),
    ]
    await writer.write_many(session, office.tenant_id, entries)
    other = await make_tenant("Ander bedrijf")
    await writer.write_many(
        session, other.tenant_id, [writer.Entry(LogLevel.INFO, "x", subject="K00012")]
    )
    await session.commit()

    async def found(q: str) -> list[str]:
        response = await client.get(
            "/api/v1/integration/logs", params={"q": q}, headers=office.headers
        )
        assert response.status_code == 200, response.text
        return [i["message"] for i in response.json()["items"]]

    assert await found("K00012") == ["Klant 'Bakkerij Jansen' (K00012) gewijzigd"]
    assert await found("k00012") == ["Klant 'Bakkerij Jansen' (K00012) gewijzigd"]
    assert await found("2026-00007") == ["Werkbon 2026-00007 heeft geen klant"]
    assert await found("K99999") == []
    both = await client.get(
        "/api/v1/integration/logs",
        params={"q": "P123", "level": "warning,error"},
        headers=office.headers,
    )
    assert both.json()["total"] == 1
    too_long = await client.get(
        "/api/v1/integration/logs", params={"q": "x" * 101}, headers=office.headers
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "q"


async def test_a_runs_lines_are_written_in_one_statement(
    session: AsyncSession, office: TenantKey
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "integration_log" in statement:
            statements.append(statement)

    connection = session.bind
    assert isinstance(connection, AsyncConnection)  # the test session's own connection
    engine = connection.engine
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        lines = [
            writer.Entry(LogLevel.INFO, f"Klant {n} gewijzigd", subject=f"K{n}") for n in range(50)
        ]
        await writer.write_many(session, office.tenant_id, lines)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1
    rows = await session.execute(
        select(IntegrationLogEntry.message)
        .where(IntegrationLogEntry.tenant_id == office.tenant_id)
        .order_by(IntegrationLogEntry.id)
    )
    assert [r[0] for r in rows] == [f"Klant {n} gewijzigd" for n in range(50)]
