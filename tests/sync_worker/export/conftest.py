"""In-process export tests: the sync worker's code on the rolled-back test session, talking
to an in-process sandbox (the worker's fixtures: tests/sync_worker/conftest.py)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.export.products import forget_products
from tests.sync_worker.export.support import Shop, make_shop


@pytest.fixture
async def shop(
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    sessions: SessionFactory,
    rompslomp: Rompslomp,
    token_key: str,
) -> Shop:
    return await make_shop(session, sandbox, sessions, rompslomp, token_key, "Loodgieter Jansen")


@pytest.fixture(autouse=True)
def _fresh_product_memory() -> None:
    forget_products()
