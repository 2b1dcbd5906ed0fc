"""API keys are stored hashed and shown once."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import hash_api_key
from shared.models import ApiKey
from tests.support.tenants import TenantKey


async def test_only_the_hash_of_a_key_is_stored(session: AsyncSession, office: TenantKey) -> None:
    stored = (
        await session.scalars(select(ApiKey).where(ApiKey.tenant_id == office.tenant_id))
    ).all()
    assert [k.key_hash for k in stored] == [hash_api_key(office.api_key)]
    assert all(office.api_key not in (k.key_hash, k.prefix) for k in stored)


async def test_a_revoked_key_is_refused(
    session: AsyncSession, client: httpx.AsyncClient, office: TenantKey
) -> None:
    key = (await session.scalars(select(ApiKey).where(ApiKey.tenant_id == office.tenant_id))).one()
    key.revoked_at = key.created_at
    await session.commit()
    response = await client.get("/api/v1/work-orders", headers=office.headers)
    assert response.status_code == 401
