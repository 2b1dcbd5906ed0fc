"""The status screen (R-SYNC-4): per table its size, the last change made in Simon and the
last change made by the integration, plus the latest sync run per entity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Base
from shared.enums import RecordSource
from shared.models import Article, ArticleGroup, Customer, SyncRun, SyncState, WorkAddress


@dataclass(frozen=True)
class TableStatus:
    table: str
    count: int
    simon_mutation_at: datetime | None
    integration_update_at: datetime | None


# Rows the integration wrote carry source 'rompslomp'; article groups are Simon's own
# (Rompslomp's API has no product categories, R-MASTER-6).
STATUS_TABLES: tuple[tuple[str, type[Base], bool], ...] = (
    ("article_group", ArticleGroup, False),
    ("article", Article, True),
    ("customer", Customer, True),
    ("work_address", WorkAddress, True),
)


async def table_statuses(session: AsyncSession, tenant_id: int) -> list[TableStatus]:
    statuses = []
    for name, model, has_source in STATUS_TABLES:
        updated = model.updated_at  # type: ignore[attr-defined]
        columns: list[Any] = [func.count(), func.max(updated)]
        if has_source:
            source = model.source  # type: ignore[attr-defined]
            columns = [
                func.count(),
                func.max(updated).filter(source == RecordSource.SIMON),
                func.max(updated).filter(source == RecordSource.ROMPSLOMP),
            ]
        row = (
            await session.execute(
                select(*columns).where(model.tenant_id == tenant_id)  # type: ignore[attr-defined]
            )
        ).one()
        statuses.append(
            TableStatus(
                table=name,
                count=int(row[0]),
                simon_mutation_at=row[1],
                integration_update_at=row[2] if has_source else None,
            )
        )
    return statuses


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
