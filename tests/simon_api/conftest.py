"""simon_api in-process over ASGI, on the rolled-back test session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.deps import get_session
from services.simon_api.main import create_app
from services.simon_api.settings import SimonApiSettings
from shared.enums import IntegrationState
from shared.models import Integration
from shared.reader import SessionReader
from tests.simon_api.support import Api
from tests.support.tenants import TenantKey


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimonApiSettings(database_url="postgresql://unused/unused"))

    async def same_session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = same_session
    app.state.reader = SessionReader(session)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simon") as client:
        yield client


@pytest.fixture
async def other_office(make_tenant: Callable[..., Awaitable[TenantKey]]) -> TenantKey:
    return await make_tenant("Tenant B")


@pytest.fixture
def set_integration_state(
    session: AsyncSession,
) -> Callable[[int, IntegrationState], Awaitable[None]]:
    async def set_state(tenant_id: int, state: IntegrationState) -> None:
        await session.merge(Integration(tenant_id=tenant_id, state=state))
        await session.commit()

    return set_state


@pytest.fixture
def api(client: httpx.AsyncClient, office: TenantKey) -> Api:
    return Api(client, office)
