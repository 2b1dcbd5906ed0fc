"""Migrations are reversible: upgrade → downgrade → upgrade on an empty database."""

import uuid

import asyncpg
from sqlalchemy.engine import make_url

from shared.migrate import downgrade, upgrade
from tests.support.database import admin_execute, in_thread, with_database


async def _tables(url: str) -> list[str]:
    parsed = make_url(url)
    connection = await asyncpg.connect(
        user=parsed.username,
        host=parsed.query.get("host") or parsed.host,
        port=parsed.port,
        database=parsed.database,
        password=parsed.password,
    )
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [str(r["tablename"]) for r in rows]
    finally:
        await connection.close()


async def test_upgrade_downgrade_upgrade(postgres_server_url: str) -> None:
    name = f"simon_migrations_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)

    in_thread(upgrade, url)
    upgraded = await _tables(url)
    assert {"work_orders", "outbox_events", "customers", "api_keys"} <= set(upgraded)

    in_thread(downgrade, url)
    assert await _tables(url) == ["alembic_version"]

    in_thread(upgrade, url)
    assert await _tables(url) == upgraded
