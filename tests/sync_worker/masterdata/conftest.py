"""Master-data sync in process: the worker's fixtures (tests/sync_worker/conftest.py: worker
app over ASGI, in-process sandbox, rolled-back session) plus a job runtime, and `sessions`
taken in turn; `Tenant` (support.py) stands in for the job worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.jobs.runtime import Runtime, use
from services.sync_worker.settings import SyncWorkerSettings
from tests.sync_worker.masterdata.support import Tenant
from tests.sync_worker.support import Wizard


@pytest.fixture
def sessions(session: AsyncSession) -> SessionFactory:
    """The app's short transactions on the test's one rolled-back session, taken in turn:
    a job's units of work overlap (a token refresh while a batch is written), one
    AsyncSession must not be used concurrently."""
    turn = asyncio.Lock()

    @asynccontextmanager
    async def unit_of_work() -> AsyncIterator[AsyncSession]:
        async with turn:
            yield session

    return unit_of_work


@pytest.fixture
def runtime(
    sessions: SessionFactory, rompslomp: Rompslomp, worker_settings: SyncWorkerSettings
) -> Iterator[Runtime]:
    with use(Runtime(sessions, rompslomp, worker_settings)) as runtime:
        yield runtime


@pytest.fixture
async def tenant(wizard: Wizard, session: AsyncSession, runtime: Runtime) -> Tenant:
    """Activated (the demo administration: 25 contacts of which 24 customers, 15 products),
    nothing imported yet."""
    saved = await wizard.activate()
    return Tenant(wizard, session, runtime, saved["administration_id"])


@pytest.fixture
async def imported(tenant: Tenant) -> Tenant:
    """Activated and the initial import done."""
    runs = await tenant.work()
    assert {(r.entity, r.status) for r in runs} == {
        ("customers", "finished"),
        ("articles", "finished"),
    }
    return tenant
