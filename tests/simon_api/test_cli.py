"""`simon tenant create --name NAME` prints one JSON line with a working office key;
`simon work-orders refresh-views` writes the stored work-order bodies again."""

import asyncio
import json
import os
import subprocess
import sys

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import authenticate, create_tenant
from shared.db import create_engine, create_sessionmaker
from shared.enums import WorkOrderStatus
from shared.models import Tenant, WorkOrder
from shared.reader import SessionReader
from shared.work_order_view import render_views


async def test_tenant_create_prints_a_working_office_key(
    database_url: str, session: AsyncSession
) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.simon_api.cli", "tenant", "create", "--name", "CLI BV"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    created = json.loads(result.stdout.strip().splitlines()[-1])
    principal = await authenticate(SessionReader(session), created["api_key"])
    assert principal is not None
    assert (principal.tenant_id, principal.role) == (created["tenant_id"], "office")


def test_tenant_create_refuses_an_empty_name(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.simon_api.cli", "tenant", "create", "--name", " "],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--name" in result.stderr


async def test_work_orders_refresh_views_writes_each_stored_body_from_its_definition(
    database_url: str,
) -> None:
    """After a change to `WorkOrderOut`: every stored body is written again (here one that
    was never written, as a row from before the change would be)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            tenant, _, _ = await create_tenant(session, "Refresh BV")
            work_order = WorkOrder(
                tenant_id=tenant.id, number="2026-00001", status=WorkOrderStatus.CREATED
            )
            session.add(work_order)
            await session.commit()
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "services.simon_api.cli", "work-orders", "refresh-views"],
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert json.loads(result.stdout.strip().splitlines()[-1])["refreshed"] >= 1
        async with create_sessionmaker(engine)() as session:
            stored = await session.scalar(
                select(WorkOrder.api_view).where(WorkOrder.id == work_order.id)
            )
            assert stored == (await render_views(session, [work_order.id]))[work_order.id]
            assert json.loads(stored)["number"] == "2026-00001"
            await session.execute(delete(Tenant).where(Tenant.id == tenant.id))
            await session.commit()
    finally:
        await engine.dispose()
