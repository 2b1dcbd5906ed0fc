"""The status screen (R-SYNC-4): per table its size, the last change made in Simon and the
last change made by the integration (shared/master_data_status.py reads those tables),
plus the latest sync run per entity and the deletions held back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.integration_setup import SyncRun, SyncState


async def latest_runs(session: AsyncSession, tenant_id: int) -> list[SyncRun]:
    """The most recent run of each entity (queued, running or done)."""
    latest = (
        select(func.max(SyncRun.id)).where(SyncRun.tenant_id == tenant_id).group_by(SyncRun.entity)
    )
    rows = await session.scalars(
        select(SyncRun)
        .where(SyncRun.tenant_id == tenant_id, SyncRun.id.in_(latest))
        .order_by(SyncRun.entity)
    )
    return list(rows)


@dataclass(frozen=True)
class HeldDeletions:
    entity: str
    count: int
    since: datetime | None


async def held_deletions(session: AsyncSession, tenant_id: int) -> list[HeldDeletions]:
    """Deletions the mass-deletion guard holds until a person confirms (R-MASTER-4): what
    a status screen shows beside its "Verwijderen bevestigen" button."""
    rows = await session.execute(
        select(SyncState.entity, SyncState.pending_deletions, SyncState.pending_since)
        .where(SyncState.tenant_id == tenant_id, SyncState.pending_deletions.is_not(None))
        .order_by(SyncState.entity)
    )
    return [HeldDeletions(entity, len(ids), since) for entity, ids, since in rows if ids]


async def recent_runs(session: AsyncSession, tenant_id: int, limit: int = 20) -> list[SyncRun]:
    rows = await session.scalars(
        select(SyncRun)
        .where(SyncRun.tenant_id == tenant_id)
        .order_by(SyncRun.id.desc())
        .limit(limit)
    )
    return list(rows)
