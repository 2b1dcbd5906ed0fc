"""A worker that stopped beating (SIGKILL) leaves jobs in `doing`: recovery hands them out
again, or closes one whose queueing lock already has a waiting job (that one does the same
work). Runs against committed rows through procrastinate's own connector."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy.engine import make_url

from services.sync_worker.jobs.app import opened
from services.sync_worker.jobs.maintenance import recover_stalled


async def _connect(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    return await asyncpg.connect(
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.query.get("host") or parsed.host,
        port=parsed.port,
        database=parsed.database,
    )


async def test_jobs_of_a_dead_worker_are_handed_out_again(database_url: str) -> None:
    tag = uuid.uuid4().hex[:8]
    db = await _connect(database_url)
    dead = None
    try:
        dead = await db.fetchval(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '1 hour') RETURNING id"
        )
        insert = (
            "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, queueing_lock, args, "
            "status, worker_id) VALUES ('default', $1, $2, $3, '{}', $4, $5) RETURNING id"
        )
        lonely = await db.fetchval(insert, f"test.{tag}", f"a:{tag}", f"a:{tag}", "doing", dead)
        superseded = await db.fetchval(insert, f"test.{tag}", f"b:{tag}", f"b:{tag}", "doing", dead)
        waiting = await db.fetchval(insert, f"test.{tag}", f"b:{tag}", f"b:{tag}", "todo", None)

        async with opened(database_url, max_size=2):
            recovered = await recover_stalled(timestamp=0)

        assert recovered >= 2
        statuses = dict(
            await db.fetch(
                "SELECT id, status::text FROM procrastinate_jobs WHERE task_name = $1",
                f"test.{tag}",
            )
        )
        assert statuses == {lonely: "todo", superseded: "failed", waiting: "todo"}
        # The dead worker's row goes too (a worker prunes them only when it starts).
        left = await db.fetchval("SELECT count(*) FROM procrastinate_workers WHERE id = $1", dead)
        assert left == 0
    finally:
        await db.execute("DELETE FROM procrastinate_jobs WHERE task_name = $1", f"test.{tag}")
        await db.execute("DELETE FROM procrastinate_workers WHERE id = $1", dead)
        await db.close()
