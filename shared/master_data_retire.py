"""Retiring customers and articles that left Rompslomp (R-MASTER-4) or were made in Simon
(R-MASTER-3): deactivated when Simon holds anything of its own on them, deleted otherwise.

Simon's own data on a customer: work orders, contact persons, objects, work addresses made
in Simon. On an article: work orders (materials) and an article group. Nothing cascades
silently: such a record is only hidden from the pickers (`active = false`), and the
answer names, per record, what kept it, so the log can say why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import RecordSource, SyncEntity

Outcome = Literal["deactivated", "removed", "kept"]


@dataclass(frozen=True)
class Retirement:
    """What happened to one record; `kept`: it was already inactive and is still used."""

    id: int
    rompslomp_id: int | None
    name: str
    code: str | None
    outcome: Outcome
    reasons: list[str]  # what Simon holds on it: work_orders, contact_persons, …


@dataclass
class Retired:
    deactivated: int = 0
    removed: int = 0
    records: list[Retirement] = field(default_factory=list)


def _reason(name: str, condition: str) -> str:
    return f"CASE WHEN EXISTS ({condition}) THEN '{name}' END"


_CUSTOMER_REASONS = ", ".join(
    (
        _reason("work_orders", "SELECT 1 FROM work_orders w WHERE w.customer_id = c.id"),
        _reason("contact_persons", "SELECT 1 FROM contact_persons p WHERE p.customer_id = c.id"),
        _reason("objects", "SELECT 1 FROM objects o WHERE o.customer_id = c.id"),
        _reason(
            "work_addresses",
            "SELECT 1 FROM work_addresses a WHERE a.customer_id = c.id "  # noqa: S608 - constant
            f"AND a.source = '{RecordSource.SIMON}'",
        ),
    )
)
_ARTICLE_REASONS = ", ".join(
    (
        _reason("work_orders", "SELECT 1 FROM materials m WHERE m.article_id = c.id"),
        "CASE WHEN c.article_group_id IS NOT NULL THEN 'article_group' END",
    )
)
# `c` is the customer or article; `reasons` is computed once per row.
_TARGET = {
    SyncEntity.CUSTOMERS: f"""
        WITH target AS (
            SELECT c.id, c.rompslomp_id, c.name, c.number AS code, c.active,
                   array_remove(ARRAY[{_CUSTOMER_REASONS}]::text[], NULL) AS reasons
            FROM customers c
            WHERE c.tenant_id = :tenant_id AND c.id = ANY(CAST(:ids AS bigint[]))
        )""",  # noqa: S608 - constant SQL, no input
    SyncEntity.ARTICLES: f"""
        WITH target AS (
            SELECT c.id, c.rompslomp_id, c.description AS name, c.code, c.active,
                   array_remove(ARRAY[{_ARTICLE_REASONS}]::text[], NULL) AS reasons
            FROM articles c
            WHERE c.tenant_id = :tenant_id AND c.id = ANY(CAST(:ids AS bigint[]))
        )""",  # noqa: S608 - constant SQL, no input
}
_EFFECT = {
    entity: text(
        target  # noqa: S608 - constant SQL, no input
        + """
        SELECT count(*) FILTER (WHERE active AND reasons <> '{}'),
               count(*) FILTER (WHERE reasons = '{}')
        FROM target
        """
    )
    for entity, target in _TARGET.items()
}
_RETIRE = {
    entity: text(
        target  # noqa: S608 - constant SQL, no input
        + f""",
        deactivated AS (
            UPDATE {entity} c SET active = false, updated_at = now() FROM target t
            WHERE c.id = t.id AND t.reasons <> '{{}}' AND c.active RETURNING c.id
        ), removed AS (
            DELETE FROM {entity} c USING target t
            WHERE c.id = t.id AND t.reasons = '{{}}' RETURNING c.id
        )
        SELECT t.id, t.rompslomp_id, t.name, t.code, t.reasons,
               CASE WHEN d.id IS NOT NULL THEN 'deactivated'
                    WHEN r.id IS NOT NULL THEN 'removed' ELSE 'kept' END AS outcome
        FROM target t
        LEFT JOIN deactivated d ON d.id = t.id
        LEFT JOIN removed r ON r.id = t.id
        ORDER BY t.id
        """  # noqa: S608 - constant SQL, no input
    )
    for entity, target in _TARGET.items()
}
_SIMON_MADE = {
    entity: text(
        f"SELECT id FROM {entity} "  # noqa: S608 - constant SQL, no input
        f"WHERE tenant_id = :tenant_id AND source = '{RecordSource.SIMON}'"
    )
    for entity in SyncEntity
}


async def simon_made(session: AsyncSession, tenant_id: int, entity: SyncEntity) -> list[int]:
    """Ids of rows created in Simon itself (R-MASTER-3: the cleanup retires them)."""
    return list((await session.scalars(_SIMON_MADE[entity], {"tenant_id": tenant_id})).all())


_ROMPSLOMP_LED = {
    entity: text(
        f"SELECT id FROM {entity} "  # noqa: S608 - constant SQL, no input
        f"WHERE tenant_id = :tenant_id AND source = '{RecordSource.ROMPSLOMP}' AND active"
    )
    for entity in SyncEntity
}
_WITH_ROMPSLOMP_IDS = {
    entity: text(
        f"SELECT id FROM {entity} "  # noqa: S608 - constant SQL, no input
        f"WHERE tenant_id = :tenant_id AND source = '{RecordSource.ROMPSLOMP}' "
        "AND rompslomp_id = ANY(CAST(:rompslomp_ids AS bigint[]))"
    )
    for entity in SyncEntity
}


async def rompslomp_led(session: AsyncSession, tenant_id: int, entity: SyncEntity) -> list[int]:
    """Ids of the active rows the integration imported (an administration switch retires
    them)."""
    return list((await session.scalars(_ROMPSLOMP_LED[entity], {"tenant_id": tenant_id})).all())


async def with_rompslomp_ids(
    session: AsyncSession, tenant_id: int, entity: SyncEntity, rompslomp_ids: Sequence[int]
) -> list[int]:
    """Ids of the imported rows (active or not) with these Rompslomp ids."""
    return list(
        (
            await session.scalars(
                _WITH_ROMPSLOMP_IDS[entity],
                {"tenant_id": tenant_id, "rompslomp_ids": list(rompslomp_ids)},
            )
        ).all()
    )


async def retire_effect(
    session: AsyncSession, tenant_id: int, entity: SyncEntity, ids: Sequence[int]
) -> Retired:
    """What `retire` would do now, without doing it (counts only)."""
    if not ids:
        return Retired()
    row = (await session.execute(_EFFECT[entity], {"tenant_id": tenant_id, "ids": list(ids)})).one()
    return Retired(deactivated=int(row[0]), removed=int(row[1]))


async def retire(
    session: AsyncSession, tenant_id: int, entity: SyncEntity, ids: Sequence[int]
) -> Retired:
    """Deactivate the rows Simon holds something on, delete the others (by Simon id): one
    statement, answering per row what happened and why."""
    if not ids:
        return Retired()
    rows = await session.execute(_RETIRE[entity], {"tenant_id": tenant_id, "ids": list(ids)})
    retired = Retired()
    for row in rows:
        record = Retirement(
            row.id, row.rompslomp_id, row.name, row.code, row.outcome, list(row.reasons)
        )
        retired.records.append(record)
        if record.outcome == "deactivated":
            retired.deactivated += 1
        elif record.outcome == "removed":
            retired.removed += 1
    return retired
