"""Sync runs (R-SYNC-1) and their jobs: a queued run and its job are made in one
transaction, so one never exists without the other.

Per tenant × entity at most one run waits (`queued`) and one runs: the job's `lock` and
`queueing_lock` are both `sync:{tenant}:{entity}`, and a second request finds the queued
run and folds into its waiting job. A run whose job dies with its worker stays `running`
until the next job of the entity claims it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from shared.clock import utcnow
from shared.enums import SyncEntity, SyncRunStatus, SyncTrigger
from shared.models.integration_setup import SyncRun, SyncState

SYNC_TASK = "masterdata.sync"
PROBE_TASK = "masterdata.probe"


def lock_key(tenant_id: int, entity: str) -> str:
    return f"sync:{tenant_id}:{entity}"


async def defer_sync(
    session: AsyncSession, tenant_id: int, entity: str, *, not_before: datetime | None = None
) -> int | None:
    key = lock_key(tenant_id, entity)
    return await defer(
        session,
        SYNC_TASK,
        args={"tenant_id": tenant_id, "entity": entity},
        lock=key,
        queueing_lock=key,
        scheduled_at=not_before,
    )


async def defer_probe(session: AsyncSession, tenant_id: int, entity: str) -> int | None:
    return await defer(
        session,
        PROBE_TASK,
        args={"tenant_id": tenant_id, "entity": entity},
        lock=lock_key(tenant_id, entity),
        queueing_lock=f"probe:{tenant_id}:{entity}",
    )


async def queue_runs(
    session: AsyncSession, tenant_id: int, entities: Sequence[SyncEntity], *, trigger: SyncTrigger
) -> list[SyncRun]:
    """A queued run per entity plus its job, in the caller's transaction; an entity that
    already has a queued run keeps it (a second click folds into the first)."""
    waiting = {
        run.entity: run
        for run in await session.scalars(
            select(SyncRun)
            .where(
                SyncRun.tenant_id == tenant_id,
                SyncRun.status == SyncRunStatus.QUEUED,
                SyncRun.entity.in_(entities),
            )
            .with_for_update()
        )
    }
    runs = []
    for entity in entities:
        run = waiting.get(entity)
        if run is None:
            run = SyncRun(
                tenant_id=tenant_id, entity=entity, trigger=trigger, status=SyncRunStatus.QUEUED
            )
            session.add(run)
        runs.append(run)
    await session.flush()
    for entity in entities:
        await defer_sync(session, tenant_id, entity)
    return runs


async def claim(session: AsyncSession, tenant_id: int, entity: str) -> SyncRun | None:
    """The run this job executes, marked running: the queued one, or else one a dead worker
    left running. The entity's lock guarantees no other job of it runs now."""
    candidates = list(
        await session.scalars(
            select(SyncRun)
            .where(
                SyncRun.tenant_id == tenant_id,
                SyncRun.entity == entity,
                SyncRun.status.in_((SyncRunStatus.QUEUED, SyncRunStatus.RUNNING)),
            )
            .order_by(case((SyncRun.status == SyncRunStatus.QUEUED, 0), else_=1), SyncRun.id.desc())
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if not candidates:
        return None
    run, *others = candidates
    now = utcnow()
    for other in others:
        # Covered by the claimed run: a second queued run (two clicks racing) is folded
        # into it; a running one was left by a dead worker and is redone by it.
        other.status = (
            SyncRunStatus.FAILED
            if other.status == SyncRunStatus.RUNNING
            else SyncRunStatus.CANCELLED
        )
        other.finished_at = now
    run.status = SyncRunStatus.RUNNING
    run.started_at = run.started_at or now
    run.attempts += 1
    return run


async def requeue(session: AsyncSession, run: SyncRun, *, not_before: datetime) -> bool:
    """Put the run back in the queue for a later attempt; False when another queued run of
    the entity already covers it (this one is then cancelled)."""
    other = await session.scalar(
        select(SyncRun.id).where(
            SyncRun.tenant_id == run.tenant_id,
            SyncRun.entity == run.entity,
            SyncRun.status == SyncRunStatus.QUEUED,
            SyncRun.id != run.id,
        )
    )
    if other is not None:
        run.status = SyncRunStatus.CANCELLED
        run.finished_at = utcnow()
        return False
    run.status = SyncRunStatus.QUEUED
    await session.flush()
    await defer_sync(session, run.tenant_id, run.entity, not_before=not_before)
    return True


async def sync_state(session: AsyncSession, tenant_id: int, entity: str) -> SyncState:
    """The entity's bookkeeping row, created when missing, locked for this transaction."""
    await session.execute(
        insert(SyncState)
        .values(tenant_id=tenant_id, entity=entity)
        .on_conflict_do_nothing(index_elements=["tenant_id", "entity"])
    )
    state = await session.scalar(
        select(SyncState)
        .where(SyncState.tenant_id == tenant_id, SyncState.entity == entity)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert state is not None
    return state


async def expect_simon_edits(session: AsyncSession, tenant_id: int) -> None:
    """The integration stops being active: from now on Simon may edit its Rompslomp-led
    customers and articles, which their unchanged content hashes would hide. The next
    complete listing of each entity compares every value and puts Rompslomp's back."""
    await session.execute(
        insert(SyncState)
        .values([{"tenant_id": tenant_id, "entity": e, "repair_pending": True} for e in SyncEntity])
        .on_conflict_do_update(
            index_elements=["tenant_id", "entity"], set_={"repair_pending": True}
        )
    )
