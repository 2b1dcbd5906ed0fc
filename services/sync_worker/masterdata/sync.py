"""One run of the master-data sync for a tenant × entity (DESIGN flow 2).

Pages stream from Rompslomp (concurrently, within the tenant's request budget) into a small
queue; the writer drains whatever has arrived into one batch, keeps only records whose
content hash differs from what Simon holds, upserts them set-based and records progress,
one commit per batch, so fetching never waits for the database. After a complete listing,
ids that vanished are retired (deletions.reconcile); an interrupted listing removes
nothing. No transaction is held open across a request to Rompslomp (STYLE 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.integration.rompslomp_connection import (
    RompslompUnavailable,
    connected,
)
from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.masterdata import messages
from services.sync_worker.masterdata.deletions import clean_up_simon_made, reconcile
from services.sync_worker.masterdata.entities import ENTITIES, EntitySpec
from services.sync_worker.masterdata.messages import Counts, Line
from services.sync_worker.masterdata.runs import claim, requeue, sync_state
from services.sync_worker.metrics import SYNC_ROWS, SYNC_RUNS
from services.sync_worker.rompslomp import (
    FatalError,
    PageIterator,
    RateLimitedError,
    RetriableError,
    RompslompClient,
)
from shared.clock import utcnow
from shared.master_data_sync import Known, known
from shared.models import Integration, IntegrationSettings, SyncRun
from shared.problems import Conflict

log = structlog.get_logger("services.sync_worker.masterdata")

QUEUE_PAGES = 64  # pages waiting for the writer (bounds memory, ~6,400 records)
BATCH_ROWS = 1000  # at most this many records per upsert statement
PROGRESS_SECONDS = 0.5  # a batch without changes writes progress at most this often
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
# Runs whose summary is logged even when nothing changed (a person is waiting on them).
ALWAYS_SUMMARISED = frozenset({"initial", "manual", "resume"})


@dataclass
class Progress:
    run_id: int
    tenant_id: int
    fetched: int = 0
    total: int | None = None
    counts: Counts = field(default_factory=Counts)
    seen: set[int] = field(default_factory=set)
    reported_at: float = 0.0  # time.monotonic() of the last progress write


async def active_company(session: AsyncSession, tenant_id: int) -> int | None:
    """The administration to sync, or None when the tenant's integration is not active."""
    row = (
        await session.execute(
            select(Integration.state, IntegrationSettings.administration_id)
            .join(IntegrationSettings, IntegrationSettings.tenant_id == Integration.tenant_id)
            .where(Integration.tenant_id == tenant_id)
        )
    ).first()
    if row is None or row.state != "active":
        return None
    return int(row.administration_id)


async def run_sync(rt: Runtime, tenant_id: int, entity: str) -> SyncRun | None:
    """Claim the entity's queued run and carry it out; the run as it ended (None: nothing
    to do)."""
    spec = ENTITIES[entity]
    async with rt.sessions() as session:
        company_id = await active_company(session, tenant_id)
        if company_id is None:
            await session.execute(
                update(SyncRun)
                .where(
                    SyncRun.tenant_id == tenant_id,
                    SyncRun.entity == entity,
                    SyncRun.status == "queued",
                )
                .values(status="cancelled", finished_at=utcnow())
            )
            run = None
        else:
            run = await claim(session, tenant_id, entity)
        await session.commit()
    if run is None or company_id is None:
        return None
    progress = Progress(run.id, tenant_id)
    log.info("sync.run.started", tenant_id=tenant_id, entity=entity, run_id=run.id)
    try:
        async with rt.sessions() as session:
            rows = await known(session, tenant_id, spec.name)
            await session.commit()
        async with connected(rt.rompslomp, rt.sessions, tenant_id) as client:
            complete = await _list_and_write(rt, client, company_id, spec, rows, progress)
        return await _finish(rt, tenant_id, spec, progress, run.trigger, rows, complete)
    except RompslompUnavailable as exc:
        cause = exc.__cause__
        if isinstance(cause, RetriableError):
            return await _retry_later(rt, tenant_id, spec, progress, cause)
        status = cause.status if isinstance(cause, FatalError) else None
        return await _fail(rt, tenant_id, spec, progress, messages.refused(spec, status))
    except Conflict as exc:
        # needs_reconnect: the connection already logged what to do; not_connected likewise
        # needs a new connection.
        line = None if exc.code == "needs_reconnect" else messages.not_connected(spec)
        return await _fail(rt, tenant_id, spec, progress, line)
    except Exception:
        log.exception("sync.run.crashed", tenant_id=tenant_id, entity=entity, run_id=run.id)
        await _fail(rt, tenant_id, spec, progress, messages.crashed(spec))
        raise


async def _list_and_write(
    rt: Runtime,
    client: RompslompClient,
    company_id: int,
    spec: EntitySpec,
    rows: dict[int, Known],
    progress: Progress,
) -> bool:
    """Stream every page into Simon; True when the listing was complete."""
    paused = client.budget.wait_time()
    if paused > rt.rompslomp.retry.max_retry_after:
        # An earlier 429 paused the tenant for long: wait in the queue, not in a worker slot.
        raise RateLimitedError("the tenant is paused by Retry-After", retry_after=paused)
    pages: PageIterator[Any] = spec.listing(client, company_id)
    queue: asyncio.Queue[list[Any] | None] = asyncio.Queue(maxsize=QUEUE_PAGES)

    async def fetch() -> None:
        # The end (None) is always announced, except when cancelled: the writer is gone then.
        try:
            async with contextlib.aclosing(pages.__aiter__()) as stream:
                async for page in stream:
                    await queue.put(page.items)
        except asyncio.CancelledError:
            raise
        except BaseException:
            await queue.put(None)
            raise
        await queue.put(None)

    fetching = asyncio.create_task(fetch(), name=f"sync-fetch-{progress.run_id}")
    try:
        done = False
        while not done:
            items = await queue.get()
            batch: list[list[Any]] = []
            while items is not None:
                batch.append(items)
                if sum(map(len, batch)) >= BATCH_ROWS or queue.empty():
                    break
                items = queue.get_nowait()
            done = items is None
            progress.total = pages.total
            await _write_batch(rt, spec, rows, progress, [i for page in batch for i in page])
        await fetching  # raises what stopped the listing
    finally:
        if not fetching.done():
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetching
    return pages.complete


async def _write_batch(
    rt: Runtime, spec: EntitySpec, rows: dict[int, Known], progress: Progress, items: list[Any]
) -> None:
    changed: dict[int, Any] = {}
    for item in items:
        progress.seen.add(item.id)
        record = spec.record(item)
        stored = rows.get(item.id)
        if stored is None or stored.content_hash != record.content_hash or not stored.active:
            changed[item.id] = record  # by id: a record listed twice is written once
    progress.fetched += len(items)
    now = time.monotonic()
    if not changed and now - progress.reported_at < PROGRESS_SECONDS:
        return  # nothing to write; progress is shown at most twice a second
    progress.reported_at = now
    async with rt.sessions() as session:
        if changed:
            written = await spec.upsert(session, progress.tenant_id, list(changed.values()))
            progress.counts.added += written.added
            progress.counts.changed += written.changed
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == progress.run_id)
            .values(
                fetched=progress.fetched,
                total=progress.total,
                added=progress.counts.added,
                changed=progress.counts.changed,
            )
        )
        await session.commit()


async def _finish(
    rt: Runtime,
    tenant_id: int,
    spec: EntitySpec,
    progress: Progress,
    trigger: str,
    rows: dict[int, Known],
    complete: bool,
) -> SyncRun:
    counts = progress.counts
    async with rt.sessions() as session:
        if complete:
            retired = await reconcile(session, tenant_id, spec, rows, progress.seen, rt.settings)
            counts.deactivated, counts.removed = retired.deactivated, retired.removed
            state = await sync_state(session, tenant_id, spec.name)
            state.listed_at = utcnow()
            state.listed_total = progress.total
        else:
            messages.write(session, tenant_id, spec, messages.incomplete(spec))
        await clean_up_simon_made(session, tenant_id, spec)
        run = await _end(session, progress, "finished")
        if counts.any or trigger in ALWAYS_SUMMARISED:
            messages.write(session, tenant_id, spec, messages.summary(spec, counts))
        await session.commit()
    for change in ("added", "changed", "deactivated", "removed"):
        if amount := getattr(counts, change):
            SYNC_ROWS.labels(entity=spec.name, change=change).inc(amount)
    SYNC_RUNS.labels(entity=spec.name, status="finished").inc()
    log.info(
        "sync.run.finished",
        tenant_id=tenant_id,
        entity=spec.name,
        run_id=run.id,
        complete=complete,
        fetched=progress.fetched,
        added=counts.added,
        changed=counts.changed,
        deactivated=counts.deactivated,
        removed=counts.removed,
    )
    return run


async def _end(session: AsyncSession, progress: Progress, status: str) -> SyncRun:
    run = await session.get(SyncRun, progress.run_id, populate_existing=True)
    assert run is not None
    counts = progress.counts
    run.status = status
    run.finished_at = utcnow()
    run.fetched = progress.fetched
    run.total = progress.total if progress.total is not None else run.total
    run.added, run.changed = counts.added, counts.changed
    run.deactivated, run.removed = counts.deactivated, counts.removed
    return run


async def _retry_later(
    rt: Runtime, tenant_id: int, spec: EntitySpec, progress: Progress, error: RetriableError
) -> SyncRun:
    """Rompslomp is busy or away: the run waits in the queue (a 429's Retry-After at least),
    until `sync_max_attempts` is spent."""
    async with rt.sessions() as session:
        run = await session.get(SyncRun, progress.run_id, populate_existing=True)
        assert run is not None
        attempts = run.attempts
    if attempts >= rt.settings.sync_max_attempts:
        return await _fail(rt, tenant_id, spec, progress, messages.gave_up(spec, attempts))
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
        await requeue(session, run, not_before=retry_at)
        messages.write(session, tenant_id, spec, messages.interrupted(spec, *reason, retry_at))
        await session.commit()
    SYNC_RUNS.labels(entity=spec.name, status="retried").inc()
    log.warning(
        "sync.run.retry_later",
        tenant_id=tenant_id,
        entity=spec.name,
        run_id=run.id,
        code=error.code,
        retry_in=round(wait.total_seconds()),
    )
    return run


async def _fail(
    rt: Runtime, tenant_id: int, spec: EntitySpec, progress: Progress, line: Line | None
) -> SyncRun:
    async with rt.sessions() as session:
        run = await _end(session, progress, "failed")
        if line is not None:
            messages.write(session, tenant_id, spec, line)
        await session.commit()
    SYNC_RUNS.labels(entity=spec.name, status="failed").inc()
    log.warning("sync.run.failed", tenant_id=tenant_id, entity=spec.name, run_id=run.id)
    return run
