"""Deletions (R-MASTER-4) and the cleanup of records made in Simon (R-MASTER-3).

Active records missing from a *complete* listing and confirmed gone (missing.py) are
retired: deactivated when Simon holds anything of its own on them, deleted otherwise
(shared/master_data_retire.py). When that would remove more than the guard allows, nothing
is removed: the Rompslomp ids are kept in `sync_states` and a warning is logged; `confirm`
(POST /sync/confirm-deletions) removes them after a person checked. A later complete
listing replaces the held set (or clears it once the guard passes), so a confirmation never
acts on a stale verdict. Records deactivated earlier and still absent are deleted once
nothing in Simon uses them any more (they are out of the pickers already: not guarded).

Every function answers the log lines it wants written; the run writes them together.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.masterdata import messages, record_lines
from services.sync_worker.masterdata.entities import EntitySpec
from services.sync_worker.masterdata.guard import deletions_allowed
from services.sync_worker.masterdata.messages import Counts, Line
from services.sync_worker.masterdata.missing import Verdict
from services.sync_worker.masterdata.runs import sync_state
from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.enums import RecordSource, SyncEntity
from shared.master_data_retire import Retired, retire, retire_effect, simon_made
from shared.master_data_sync import Known
from shared.models import Article, Customer
from shared.problems import Conflict

MODELS: dict[SyncEntity, type[Customer] | type[Article]] = {
    SyncEntity.CUSTOMERS: Customer,
    SyncEntity.ARTICLES: Article,
}


def _lines(
    spec: EntitySpec, retired: Retired, *, suppliers: Collection[int] = (), simon_made: bool = False
) -> list[Line]:
    lines = []
    for record in retired.records:
        line = record_lines.retirement(spec, record, suppliers=suppliers, simon_made=simon_made)
        if line is not None:
            lines.append(line)
    return lines


async def reconcile(
    session: AsyncSession,
    tenant_id: int,
    spec: EntitySpec,
    known: Mapping[int, Known],
    seen: Collection[int],
    verdict: Verdict,
    settings: SyncWorkerSettings,
    *,
    details: bool,
) -> tuple[Counts, list[Line]]:
    """Retire what is confirmed gone, unless the guard holds it back; purge what was
    deactivated earlier and is no longer used."""
    lines: list[Line] = []
    state = await sync_state(session, tenant_id, spec.name)
    ids = [known[rompslomp_id].id for rompslomp_id in verdict.gone]
    effect = await retire_effect(session, tenant_id, spec.name, ids)
    removing = effect.deactivated + effect.removed
    rows = sum(1 for row in known.values() if row.active)
    retired = Retired()
    if not deletions_allowed(removing, rows, share=settings.sync_deletion_guard_share):
        if sorted(state.pending_deletions or []) != verdict.gone:
            lines.append(messages.held_back(spec, removing, rows))
            state.pending_deletions = list(verdict.gone)
            state.pending_since = utcnow()
    else:
        state.pending_deletions = None
        state.pending_since = None
        retired = await retire(session, tenant_id, spec.name, ids)
    stale = [
        row.id for rompslomp_id, row in known.items() if not row.active and rompslomp_id not in seen
    ]
    purged = await retire(session, tenant_id, spec.name, stale)
    if details:
        lines += _lines(spec, retired, suppliers=verdict.suppliers)
        lines += _lines(spec, purged)
    counts = Counts(deactivated=retired.deactivated, removed=retired.removed + purged.removed)
    return counts, lines


async def clean_up_simon_made(
    session: AsyncSession, tenant_id: int, spec: EntitySpec, *, details: bool
) -> list[Line]:
    """R-MASTER-3: customers/articles made in Simon go (or are hidden when used)."""
    ids = await simon_made(session, tenant_id, spec.name)
    retired = await retire(session, tenant_id, spec.name, ids)
    if details:
        return _lines(spec, retired, simon_made=True)
    if retired.deactivated or retired.removed:
        return [messages.simon_made_cleaned(spec, retired.deactivated, retired.removed)]
    return []


async def confirm(session: AsyncSession, tenant_id: int, spec: EntitySpec) -> Counts:
    """Carry out the deletions the guard held back; 409 when none are waiting."""
    state = await sync_state(session, tenant_id, spec.name)
    if not state.pending_deletions:
        raise Conflict(f"No {spec.label_en} are waiting to be removed.", code="nothing_to_confirm")
    model = MODELS[spec.name]
    ids = list(
        await session.scalars(
            select(model.id).where(
                model.tenant_id == tenant_id,
                model.source == RecordSource.ROMPSLOMP,
                model.rompslomp_id.in_(state.pending_deletions),
            )
        )
    )
    retired = await retire(session, tenant_id, spec.name, ids)
    state.pending_deletions = None
    state.pending_since = None
    counts = Counts(deactivated=retired.deactivated, removed=retired.removed)
    lines = [*_lines(spec, retired), messages.confirmed(spec, counts)]
    await messages.write_all(session, tenant_id, spec, lines)
    return counts
