"""Jobs are deferred in the caller's transaction; the outbox relay turns each archive event
into exactly one export job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from services.sync_worker.jobs.relay import EXPORT_TASK, relay_once
from shared.auth import create_tenant
from shared.events import WORK_ORDER_ARCHIVED
from shared.models import OutboxEvent


async def _jobs(session: AsyncSession, task: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            "SELECT task_name, lock, queueing_lock, args, status FROM procrastinate_jobs "
            "WHERE task_name = :task ORDER BY id"
        ),
        {"task": task},
    )
    return [dict(r._mapping) for r in rows]


async def test_queueing_lock_folds_a_second_waiting_job(session: AsyncSession) -> None:
    first = await defer(session, "test.fold", args={"n": 1}, queueing_lock="sync:1:customers")
    second = await defer(session, "test.fold", args={"n": 2}, queueing_lock="sync:1:customers")
    other = await defer(session, "test.fold", args={"n": 3}, queueing_lock="sync:1:articles")
    assert first is not None
    assert other is not None
    assert second is None
    jobs = await _jobs(session, "test.fold")
    assert [j["args"] for j in jobs] == [{"n": 1}, {"n": 3}]
    assert all(j["status"] == "todo" for j in jobs)


async def test_a_rolled_back_transaction_leaves_no_job(session: AsyncSession) -> None:
    async with session.begin_nested() as savepoint:
        await defer(session, "test.rollback", args={})
        await savepoint.rollback()
    assert await _jobs(session, "test.rollback") == []


async def test_relay_defers_one_export_job_per_archive_event(session: AsyncSession) -> None:
    tenant, _, _ = await create_tenant(session, "Relay BV")
    events = [
        OutboxEvent(
            tenant_id=tenant.id,
            event_type=WORK_ORDER_ARCHIVED,
            version=1,
            aggregate_id=work_order_id,
            payload={"work_order_id": work_order_id},
        )
        for work_order_id in (501, 502)
    ]
    session.add_all(events)
    session.add(
        OutboxEvent(
            tenant_id=tenant.id, event_type="something.else", version=1, aggregate_id=9, payload={}
        )
    )
    await session.flush()

    assert await relay_once(session) >= 3
    assert await relay_once(session) == 0  # relayed events are not relayed again

    jobs = [
        j
        for j in await _jobs(session, EXPORT_TASK)
        if j["args"]["event_id"] in {e.id for e in events}
    ]
    assert [(j["args"]["event_id"], j["lock"]) for j in jobs] == [
        (events[0].id, f"export:{tenant.id}:501"),
        (events[1].id, f"export:{tenant.id}:502"),
    ]
    unprocessed = await session.scalar(
        text("SELECT count(*) FROM outbox_events WHERE tenant_id = :t AND processed_at IS NULL"),
        {"t": tenant.id},
    )
    assert unprocessed == 0
