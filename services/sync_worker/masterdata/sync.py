"""One run of the master-data sync for a tenant × entity (DESIGN flow 2).

The listing streams into Simon (listing.py). After a complete one, the active records that
vanished are asked for one by one (missing.py) and only those proven gone are retired
(deletions.reconcile); an interrupted listing removes nothing. The run's log lines, one per
record it changed after the first import (the first import writes a summary only), go in
with its end in one statement. No transaction is held open across a request to Rompslomp
(STYLE 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.masterdata import messages
from services.sync_worker.masterdata.deletions import clean_up_simon_made, reconcile
from services.sync_worker.masterdata.entities import ENTITIES, EntitySpec
from services.sync_worker.masterdata.listing import Progress, list_and_write
from services.sync_worker.masterdata.messages import Line
from services.sync_worker.masterdata.missing import Verdict, check_missing
from services.sync_worker.masterdata.runs import claim, requeue, sync_state
from services.sync_worker.masterdata.switch import switch_summary
from services.sync_worker.metrics import SYNC_ROWS, SYNC_RUNS
from services.sync_worker.rompslomp import (
    AuthRevokedError,
    FatalError,
    NotConnected,
    RateLimitedError,
    RetriableError,
)
from services.sync_worker.rompslomp.connection import connected
from shared.clock import utcnow
from shared.enums import IntegrationState, SyncEntity, SyncRunStatus, SyncTrigger
from shared.master_data_sync import Known, known
from shared.models.integration import Integration
from shared.models.integration_setup import IntegrationSettings, SyncRun

log = structlog.get_logger("services.sync_worker.masterdata")

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
# Runs whose summary is logged even when nothing changed (a person is waiting on them).
ALWAYS_SUMMARISED = frozenset({SyncTrigger.INITIAL, SyncTrigger.MANUAL, SyncTrigger.RESUME})
# Runs that import an administration anew: a summary, not a line per record.
FIRST_IMPORTS = frozenset({SyncTrigger.INITIAL, SyncTrigger.SWITCH})


@dataclass(frozen=True)
class Listed:
    """How a listing ended: complete or not, and what the missing records turned out to be."""

    complete: bool
    verdict: Verdict


async def active_company(session: AsyncSession, tenant_id: int) -> int | None:
    """The administration to sync, or None when the tenant's integration is not active or
    an administration switch waits to be carried out (masterdata.switch queues its runs)."""
    row = (
        await session.execute(
            select(
                Integration.state,
                IntegrationSettings.administration_id,
                IntegrationSettings.switch_from_administration_id,
            )
            .join(IntegrationSettings, IntegrationSettings.tenant_id == Integration.tenant_id)
            .where(Integration.tenant_id == tenant_id)
        )
    ).first()
    if (
        row is None
        or row.state != IntegrationState.ACTIVE
        or row.switch_from_administration_id is not None
    ):
        return None
    return int(row.administration_id)


async def _start(rt: Runtime, tenant_id: int, spec: EntitySpec) -> tuple[int, SyncRun] | None:
    async with rt.sessions() as session:
        company_id = await active_company(session, tenant_id)
        if company_id is None:
            await session.execute(
                update(SyncRun)
                .where(
                    SyncRun.tenant_id == tenant_id,
                    SyncRun.entity == spec.name,
                    SyncRun.status == SyncRunStatus.QUEUED,
                )
                .values(status=SyncRunStatus.CANCELLED, finished_at=utcnow())
            )
            run = None
        else:
            run = await claim(session, tenant_id, spec.name)
        await session.commit()
    return None if run is None or company_id is None else (company_id, run)


async def _prepare(
    rt: Runtime, tenant_id: int, spec: EntitySpec, run: SyncRun
) -> tuple[dict[int, Known], Progress]:
    async with rt.sessions() as session:
        rows = await known(session, tenant_id, spec.name)
        state = await sync_state(session, tenant_id, spec.name)
        first = run.trigger in FIRST_IMPORTS or not any(row.active for row in rows.values())
        progress = Progress(
            run.id,
            tenant_id,
            details=not first,
            repair=state.repair_pending,
            skipped_before=dict(state.skipped or {}),
        )
        await session.commit()
    return rows, progress


async def run_sync(rt: Runtime, tenant_id: int, entity: SyncEntity) -> SyncRun | None:
    """Claim the entity's queued run and carry it out; the run as it ended (None: nothing
    to do)."""
    spec = ENTITIES[entity]
    started = await _start(rt, tenant_id, spec)
    if started is None:
        return None
    company_id, run = started
    log.info("sync.run.started", tenant_id=tenant_id, entity=entity, run_id=run.id)
    progress = Progress(run.id, tenant_id, details=False, repair=False)
    try:
        rows, progress = await _prepare(rt, tenant_id, spec, run)
        async with connected(rt.rompslomp, rt.sessions, tenant_id) as client:
            pages = await list_and_write(rt, client, company_id, spec, rows, progress)
            listed = Listed(progress.complete(pages), Verdict())
            if listed.complete:
                missing = [r for r, row in rows.items() if row.active and r not in progress.seen]
                listed = Listed(True, await check_missing(client, company_id, spec, missing))
        return await _finish(rt, spec, progress, run.trigger, rows, listed)
    except RetriableError as exc:
        return await _retry_later(rt, spec, progress, exc)
    except FatalError as exc:
        return await _fail(rt, spec, progress, messages.refused(spec, exc.status))
    except AuthRevokedError:
        # The connection already logged what to do (connect again).
        return await _fail(rt, spec, progress, None)
    except NotConnected:
        return await _fail(rt, spec, progress, messages.not_connected(spec))
    except Exception:
        log.exception("sync.run.crashed", tenant_id=tenant_id, entity=entity, run_id=run.id)
        await _fail(rt, spec, progress, messages.crashed(spec))
        raise


async def _finish(
    rt: Runtime,
    spec: EntitySpec,
    progress: Progress,
    trigger: SyncTrigger,
    rows: dict[int, Known],
    listed: Listed,
) -> SyncRun:
    tenant_id, counts, lines = progress.tenant_id, progress.counts, list(progress.lines)
    async with rt.sessions() as session:
        state = await sync_state(session, tenant_id, spec.name)
        if listed.complete:
            retired, retired_lines = await reconcile(
                session,
                tenant_id,
                spec,
                rows,
                progress.seen,
                listed.verdict,
                rt.settings,
                details=progress.details,
            )
            counts.deactivated, counts.removed = retired.deactivated, retired.removed
            lines += retired_lines
            state.listed_at = utcnow()
            state.listed_total = progress.total
            state.repair_pending = state.repair_pending and not progress.repair
        else:
            lines.append(messages.incomplete(spec))
        await _remember_skips(session, spec, progress, complete=listed.complete)
        lines += await clean_up_simon_made(session, tenant_id, spec, details=progress.details)
        run = await _end(session, progress, SyncRunStatus.FINISHED)
        if trigger == SyncTrigger.SWITCH:
            lines += await switch_summary(session, tenant_id)
        elif counts.any or trigger in ALWAYS_SUMMARISED:
            lines.append(messages.summary(spec, counts))
        await messages.write_all(session, tenant_id, spec, lines)
        await session.commit()
    for change in ("added", "changed", "deactivated", "removed"):
        if amount := getattr(counts, change):
            SYNC_ROWS.labels(entity=spec.name, change=change).inc(amount)
    SYNC_RUNS.labels(entity=spec.name, status=SyncRunStatus.FINISHED).inc()
    log.info(
        "sync.run.finished",
        tenant_id=tenant_id,
        entity=spec.name,
        run_id=run.id,
        complete=listed.complete,
        fetched=progress.fetched,
        added=counts.added,
        changed=counts.changed,
        deactivated=counts.deactivated,
        removed=counts.removed,
        skipped=counts.skipped,
    )
    return run


async def _remember_skips(
    session: AsyncSession, spec: EntitySpec, progress: Progress, *, complete: bool
) -> None:
    """Skipped records are logged when new or bad in a new way: remember this run's. A
    complete listing replaces the set (a corrected record drops out of it); a partial one
    only adds to it."""
    if not complete and not progress.skips:
        return
    state = await sync_state(session, progress.tenant_id, spec.name)
    before = {} if complete else dict(state.skipped or {})
    state.skipped = {**before, **progress.skips} or None


async def _end(session: AsyncSession, progress: Progress, status: SyncRunStatus) -> SyncRun:
    run = await session.get(SyncRun, progress.run_id, populate_existing=True)
    assert run is not None
    counts = progress.counts
    run.status = status
    run.finished_at = utcnow()
    run.fetched = progress.fetched
    run.total = progress.total if progress.total is not None else run.total
    run.added, run.changed = counts.added, counts.changed
    run.deactivated, run.removed = counts.deactivated, counts.removed
    run.skipped = counts.skipped
    return run


async def _retry_later(
    rt: Runtime, spec: EntitySpec, progress: Progress, error: RetriableError
) -> SyncRun:
    """Rompslomp is busy or away: the run waits in the queue (a 429's Retry-After at least),
    until `sync_max_attempts` is spent."""
    tenant_id = progress.tenant_id
    async with rt.sessions() as session:
        run = await session.get(SyncRun, progress.run_id, populate_existing=True)
        assert run is not None
        attempts = run.attempts
    if attempts >= rt.settings.sync_max_attempts:
        return await _fail(rt, spec, progress, messages.gave_up(spec, attempts))
    backoff = min(RETRY_MAX, RETRY_BASE * 2 ** (attempts - 1))
    wait = max(backoff, timedelta(seconds=error.retry_after or 0))
    retry_at = utcnow() + wait
    if isinstance(error, RateLimitedError):
        reason = ("Rompslomp vraagt Simon even te wachten", "Rompslomp asked Simon to wait")
    else:
        reason = ("Rompslomp is tijdelijk niet bereikbaar", "Rompslomp is temporarily unavailable")
    async with rt.sessions() as session:
        run = await session.get(SyncRun, progress.run_id, populate_existing=True)
        assert run is not None
        run.fetched, run.total = progress.fetched, progress.total
        run.added, run.changed = progress.counts.added, progress.counts.changed
        run.skipped = progress.counts.skipped
        await requeue(session, run, not_before=retry_at)
        await _remember_skips(session, spec, progress, complete=False)
        lines = [*progress.lines, messages.interrupted(spec, *reason, retry_at)]
        await messages.write_all(session, tenant_id, spec, lines)
        await session.commit()
    SYNC_RUNS.labels(entity=spec.name, status="retried").inc()  # queued again
    log.warning(
        "sync.run.retry_later",
        tenant_id=tenant_id,
        entity=spec.name,
        run_id=run.id,
        code=error.code,
        retry_in=round(wait.total_seconds()),
    )
    return run


async def _fail(rt: Runtime, spec: EntitySpec, progress: Progress, line: Line | None) -> SyncRun:
    async with rt.sessions() as session:
        run = await _end(session, progress, SyncRunStatus.FAILED)
        await _remember_skips(session, spec, progress, complete=False)
        lines = [*progress.lines, *([line] if line is not None else [])]
        await messages.write_all(session, progress.tenant_id, spec, lines)
        await session.commit()
    SYNC_RUNS.labels(entity=spec.name, status=SyncRunStatus.FAILED).inc()
    log.warning("sync.run.failed", tenant_id=progress.tenant_id, entity=spec.name, run_id=run.id)
    return run
