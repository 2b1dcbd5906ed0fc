"""Deferring a job in the caller's transaction.

procrastinate defers through its own psycopg pool, i.e. in another transaction. A job that
belongs with a change (a sync run row, an outbox event marked relayed) must appear exactly
when that change commits, so we insert the job row ourselves, in the caller's SQLAlchemy
transaction, into the pinned schema's `procrastinate_jobs` (the table's insert trigger
NOTIFYs the workers on commit, as procrastinate's own defer does).

`queueing_lock`: at most one *waiting* job per key; a second defer with the key is folded
into the waiting one (returns None). `lock`: at most one *running* job per key (enforced by
the workers when they fetch).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_INSERT = text(
    """
    INSERT INTO procrastinate_jobs
        (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at)
    VALUES (:queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb), :scheduled_at)
    ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING
    RETURNING id
    """
)


async def defer(
    session: AsyncSession,
    task_name: str,
    *,
    args: dict[str, Any],
    lock: str | None = None,
    queueing_lock: str | None = None,
    queue: str = "default",
    priority: int = 0,
    scheduled_at: datetime | None = None,
) -> int | None:
    """Insert the job; its id, or None when `queueing_lock` folded it into a waiting job."""
    job_id = await session.scalar(
        _INSERT,
        {
            "queue": queue,
            "task": task_name,
            "priority": priority,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args),
            "scheduled_at": scheduled_at,
        },
    )
    return int(job_id) if job_id is not None else None
