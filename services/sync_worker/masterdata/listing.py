"""Streaming one complete listing of Rompslomp into Simon (DESIGN flow 2).

Pages stream from Rompslomp (concurrently, within the tenant's request budget) into a small
queue; the writer drains whatever has arrived into one batch, keeps only records whose
content hash differs from what Simon holds (every record while a repair is due), upserts
them set-based and records progress, one commit per batch, so fetching never waits for the
database. Records that do not fit Simon are skipped, counted and remembered for the log;
their ids count as seen. No transaction is held open across a request to Rompslomp.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, text, update

from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.masterdata import record_lines, skipped
from services.sync_worker.masterdata.entities import EntitySpec
from services.sync_worker.masterdata.messages import Counts, Line
from services.sync_worker.rompslomp import Page, PageIterator, RompslompClient
from services.sync_worker.rompslomp.errors import TenantPausedError
from shared.master_data_sync import Known
from shared.models.integration_setup import SyncRun

QUEUE_PAGES = 64  # pages waiting for the writer (bounds memory, ~6,400 records)
BATCH_ROWS = 2000  # at most this many records per upsert statement
GATHER_ROWS = 500  # a batch waits for this many records …
GATHER_SECONDS = 0.2  # … at most this long
PROGRESS_SECONDS = 0.5  # a batch without changes writes progress at most this often
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
_SYNC_RUNS: Table = SyncRun.__table__  # type: ignore[assignment]  # a mapped class's table


@dataclass
class Progress:
    run_id: int
    tenant_id: int
    details: bool  # one log line per change (after the first import) or a summary only
    repair: bool  # compare every record's values, not only changed hashes
    skipped_before: Mapping[str, str] = field(default_factory=dict)  # key → reason
    fetched: int = 0
    total: int | None = None
    counts: Counts = field(default_factory=Counts)
    seen: set[int] = field(default_factory=set)
    unidentified: int = 0  # skipped records without a usable id (Rompslomp listed them)
    skips: dict[str, str] = field(default_factory=dict)  # this run's skipped: key → reason
    lines: list[Line] = field(default_factory=list)  # written with the run's end
    reported_at: float = 0.0  # time.monotonic() of the last progress write

    def complete(self, pages: PageIterator[Any]) -> bool:
        """Every page read at one stable `X-Total`, and as many distinct records seen."""
        return pages.exhausted and len(self.seen) + self.unidentified == pages.total


async def list_and_write(
    rt: Runtime,
    client: RompslompClient,
    company_id: int,
    spec: EntitySpec,
    rows: Mapping[int, Known],
    progress: Progress,
) -> PageIterator[Any]:
    """Stream every page into Simon; the listing (ask it whether it was complete)."""
    paused = client.budget.wait_time()
    if paused > rt.rompslomp.retry.max_retry_after:
        # An earlier 429 paused the tenant for long: wait in the queue, not in a worker slot.
        raise TenantPausedError(
            "the tenant is paused by Retry-After",
            status=429,
            code="client.rate_limit",
            retry_after=paused,
        )
    pages: PageIterator[Any] = spec.listing(client, company_id)
    queue: asyncio.Queue[Page[Any] | None] = asyncio.Queue(maxsize=QUEUE_PAGES)

    async def fetch() -> None:
        # The end (None) is always announced, except when cancelled: the writer is gone then.
        try:
            async with contextlib.aclosing(pages.__aiter__()) as stream:
                async for page in stream:
                    await queue.put(page)
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
            batch, done = await _next_batch(queue)
            progress.total = pages.total
            await _write_batch(rt, spec, rows, progress, batch)
        await fetching  # raises what stopped the listing
    finally:
        if not fetching.done():
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetching
    return pages


async def _next_batch(queue: asyncio.Queue[Page[Any] | None]) -> tuple[list[Page[Any]], bool]:
    """The pages to write next, and whether the listing ended. A batch waits up to
    `GATHER_SECONDS` for `GATHER_ROWS` records: fewer, larger statements cost the worker
    less than one per page, and progress still moves several times a second."""
    batch: list[Page[Any]] = []
    rows = 0
    deadline = time.monotonic() + GATHER_SECONDS
    while rows < BATCH_ROWS:
        if queue.empty() and batch:
            left = deadline - time.monotonic()
            if rows >= GATHER_ROWS or left <= 0:
                break
            try:
                page = await asyncio.wait_for(queue.get(), left)
            except TimeoutError:
                break
        else:
            page = await queue.get()
        if page is None:
            return batch, True
        batch.append(page)
        rows += len(page.items) + len(page.rejected)
    return batch, False


def _changed(
    spec: EntitySpec, rows: Mapping[int, Known], progress: Progress, batch: list[Page[Any]]
) -> dict[int, Any]:
    """The batch's records Simon must write, by id (a record listed twice is written once)."""
    changed: dict[int, Any] = {}
    seen, row_of, repair, stored_rows = progress.seen, spec.record, progress.repair, rows.get
    for page in batch:
        progress.fetched += len(page.items) + len(page.rejected)
        for item in page.items:
            row = row_of(item)
            rompslomp_id = row[0]
            seen.add(rompslomp_id)
            stored = stored_rows(rompslomp_id)
            if repair or stored is None or stored.content_hash != row[-1] or not stored.active:
                changed[rompslomp_id] = row
        for rejected in page.rejected:
            _skip(spec, progress, rejected)
    return changed


def _skip(spec: EntitySpec, progress: Progress, rejected: Any) -> None:
    skip = skipped.describe(rejected, products=spec.resource == "products")
    if rejected.id is not None:
        progress.seen.add(rejected.id)
    else:
        progress.unidentified += 1
    progress.counts.skipped += 1
    progress.skips[skip.key] = skip.reason
    if progress.skipped_before.get(skip.key) != skip.reason:
        progress.lines.append(record_lines.skipped(spec, skip))  # new, or bad in a new way


async def _write_batch(
    rt: Runtime,
    spec: EntitySpec,
    rows: Mapping[int, Known],
    progress: Progress,
    batch: list[Page[Any]],
) -> None:
    changed = _changed(spec, rows, progress, batch)
    now = time.monotonic()
    if not changed and now - progress.reported_at < PROGRESS_SECONDS:
        return  # nothing to write; progress is shown at most twice a second
    progress.reported_at = now
    async with rt.sessions() as session:
        # The batch's commit does not wait for the disk: a crash can only lose batches the
        # next listing writes again (unchanged hashes skip nothing that was not stored), and
        # the run's end, committed as usual, makes every batch before it durable.
        await session.execute(_ASYNC_COMMIT)
        if changed:
            written = await spec.upsert(
                session, progress.tenant_id, list(changed.values()), progress.details
            )
            progress.counts.added += written.added
            progress.counts.changed += written.changed
            progress.lines += [record_lines.change(spec, item) for item in written.changes]
        # Core, not the ORM's bulk update: nothing in the session to synchronise.
        await session.execute(
            update(_SYNC_RUNS)
            .where(_SYNC_RUNS.c.id == progress.run_id)
            .values(
                fetched=progress.fetched,
                total=progress.total,
                added=progress.counts.added,
                changed=progress.counts.changed,
                skipped=progress.counts.skipped,
            )
        )
        await session.commit()
