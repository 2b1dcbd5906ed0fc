"""The master-data tables as the integration's status screen shows them (R-SYNC-4): per
table its size, the last change made in Simon and the last change the integration made.
sync_worker reads simon_api's tables through here, not through their models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Base
from shared.enums import RecordSource
from shared.models.master_data import Article, ArticleGroup, Customer, WorkAddress


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
