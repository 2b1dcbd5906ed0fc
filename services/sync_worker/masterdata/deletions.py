"""Deletions (R-MASTER-4) and the cleanup of records made in Simon (R-MASTER-3).

Ids missing from a *complete* listing are retired: deactivated when a work order (open or
archived) refers to them, deleted otherwise. When that would remove more than the guard's
share, nothing is removed: the missing Rompslomp ids are kept in `sync_states` and a
warning is logged; `confirm` (POST /sync/confirm-deletions) removes them after a person
checked. A later complete listing replaces the held set (or clears it once the guard
passes), so a confirmation never acts on a stale verdict.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.masterdata import messages
from services.sync_worker.masterdata.entities import EntitySpec
from services.sync_worker.masterdata.guard import deletions_allowed
from services.sync_worker.masterdata.messages import Counts
from services.sync_worker.masterdata.runs import sync_state
from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.master_data_sync import Known, retire, retire_effect, simon_made
from shared.models import Article, Customer
from shared.problems import Conflict

MODELS: dict[str, type[Customer] | type[Article]] = {"customers": Customer, "articles": Article}


async def reconcile(
    session: AsyncSession,
    tenant_id: int,
    spec: EntitySpec,
    known: dict[int, Known],
    seen: Collection[int],
    settings: SyncWorkerSettings,
) -> Counts:
    """Retire what vanished from a complete listing, unless the guard holds it back."""
    missing = sorted(rompslomp_id for rompslomp_id in known if rompslomp_id not in seen)
    state = await sync_state(session, tenant_id, spec.name)
    ids = [known[rompslomp_id].id for rompslomp_id in missing]
    effect = await retire_effect(session, tenant_id, spec.name, ids)
    removing = effect.deactivated + effect.removed
    allowed = deletions_allowed(
        removing,
        len(known),
        share=settings.sync_deletion_guard_share,
        min_rows=settings.sync_deletion_guard_min_rows,
    )
    if not allowed:
        if sorted(state.pending_deletions or []) != missing:
            messages.write(session, tenant_id, spec, messages.held_back(spec, removing, len(known)))
            state.pending_deletions = missing
            state.pending_since = utcnow()
        return Counts()
    state.pending_deletions = None
    state.pending_since = None
    retired = await retire(session, tenant_id, spec.name, ids)
    return Counts(deactivated=retired.deactivated, removed=retired.removed)


async def clean_up_simon_made(session: AsyncSession, tenant_id: int, spec: EntitySpec) -> None:
    """R-MASTER-3: customers/articles made in Simon go (or are hidden when referenced)."""
    retired = await retire(
        session, tenant_id, spec.name, await simon_made(session, tenant_id, spec.name)
    )
    if retired.deactivated or retired.removed:
        line = messages.simon_made_cleaned(spec, retired.deactivated, retired.removed)
        messages.write(session, tenant_id, spec, line)


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
                model.source == "rompslomp",
                model.rompslomp_id.in_(state.pending_deletions),
            )
        )
    )
    retired = await retire(session, tenant_id, spec.name, ids)
    state.pending_deletions = None
    state.pending_since = None
    counts = Counts(deactivated=retired.deactivated, removed=retired.removed)
    messages.write(session, tenant_id, spec, messages.confirmed(spec, counts))
    return counts
