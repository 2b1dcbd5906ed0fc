"""The outbox relay (DESIGN D2): every `work_order.archived` event becomes an export job.

simon_api's archive transaction writes the event and `pg_notify`s `outbox_events`; the
relay LISTENs, and in one statement (RELAY_SQL, run on the LISTEN connection itself)
claims unrelayed events (`FOR UPDATE SKIP LOCKED`, so several workers never relay one
event twice), defers one job per event and marks the events relayed. A NOTIFY missed while
no worker listened is caught by the poll fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import CONNECT_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS, asyncpg_connect_args
from shared.events import WORK_ORDER_ARCHIVED
from shared.outbox import NOTIFY_CHANNEL

# The job an archive event becomes (export/tasks.py runs it); export/queue.py defers the
# same job again (a retry, a re-activation, the sweeps) under the same lock.
EXPORT_TASK = "export.work_order_archived"
BATCH = 200
POLL_SECONDS = 2.0

log = structlog.get_logger("services.sync_worker.jobs.relay")

# The whole relay of a batch in one statement: claim unrelayed events (SKIP LOCKED: several
# workers never relay one event twice), insert one export job per archive event (in event
# order: for one lock, the earlier job runs first; jobs/defer.py's columns), mark them
# relayed. Constants only, no input.
RELAY_SQL = f"""
    WITH claimed AS (
        SELECT id, tenant_id, event_type, aggregate_id FROM outbox_events
        WHERE processed_at IS NULL ORDER BY id LIMIT {BATCH} FOR UPDATE SKIP LOCKED
    ), deferred AS (
        INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, args)
        SELECT 'default', '{EXPORT_TASK}', 0,
               'export:' || tenant_id || ':' || aggregate_id,
               jsonb_build_object('event_id', id)
        FROM claimed WHERE event_type = '{WORK_ORDER_ARCHIVED}' ORDER BY id
    ), marked AS (
        UPDATE outbox_events SET processed_at = now() WHERE id IN (SELECT id FROM claimed)
    )
    SELECT count(*) FROM claimed
"""  # noqa: S608 - constant SQL, no input
_RELAY = text(RELAY_SQL)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def export_lock(tenant_id: int, work_order_id: int) -> str:
    """One running export job per work order (the relay's SQL builds the same string)."""
    return f"export:{tenant_id}:{work_order_id}"


async def relay_once(session: AsyncSession) -> int:
    """Relay one batch in the session's transaction (the caller commits); the count.

    One statement whatever the batch's size (RELAY_SQL): at 60 archives a second, a
    statement per event was most of the relay's cost. The commit does not wait for the
    disk (synchronous_commit off): lost in a crash, the events are simply relayed again,
    and every consumer is idempotent (DESIGN D2); the job inserts NOTIFY, and a NOTIFYing
    commit holds PostgreSQL's one global notify lock until it returns, which serialised the
    relay with every archive."""
    await session.execute(_ASYNC_COMMIT)
    return int(await session.scalar(_RELAY) or 0)


async def relay_pending(connection: asyncpg.Connection) -> int:
    """Relay every pending batch on the relay's own connection (its LISTEN connection, set
    not to wait for the disk on commit): each batch is one statement in autocommit, one
    round trip, where a pooled session took seven (ping, BEGIN, … COMMIT)."""
    total = 0
    while True:
        count = int(await connection.fetchval(RELAY_SQL) or 0)
        total += count
        if count < BATCH:
            return total


async def _listen(
    url: str, wake: asyncio.Event, *, connect_timeout: float, statement_timeout: float | None
) -> asyncpg.Connection:
    parsed = make_url(url)
    args = asyncpg_connect_args(
        connect_timeout=connect_timeout, statement_timeout=statement_timeout
    )
    args["server_settings"] = {**args.get("server_settings", {}), "synchronous_commit": "off"}
    connection = await asyncpg.connect(
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.query.get("host") or parsed.host,
        port=parsed.port,
        database=parsed.database,
        **args,
    )
    await connection.add_listener(NOTIFY_CHANNEL, lambda *_: wake.set())
    return connection


async def run(
    url: str,
    *,
    on_listening: Callable[[], None] = lambda: None,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float | None = STATEMENT_TIMEOUT_SECONDS,
) -> None:
    """Relay on every NOTIFY, and every POLL_SECONDS regardless, until cancelled or the
    database fails: then it raises, and the supervisor (jobs/worker.py) logs the stop and
    starts it again on a new LISTEN connection once the database is back."""
    wake = asyncio.Event()
    connection = await _listen(
        url, wake, connect_timeout=connect_timeout, statement_timeout=statement_timeout
    )
    try:
        on_listening()
        while True:
            wake.clear()
            relayed = await relay_pending(connection)
            if relayed:
                log.debug("outbox.relayed", count=relayed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            if connection.is_closed():  # the server went away: NOTIFYs would be missed
                raise ConnectionError("the relay's LISTEN connection was closed")
    finally:
        if not connection.is_closed():
            try:
                await asyncio.wait_for(connection.close(), connect_timeout)
            except (OSError, TimeoutError, asyncpg.PostgresError):
                connection.terminate()
