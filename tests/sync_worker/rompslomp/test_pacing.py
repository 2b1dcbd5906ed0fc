"""Pacing before a 429 (issue 11 §6): one token bucket per tenant in PostgreSQL, shared by
every replica, `rate` a second with bursts of `burst`; a 429 lowers the rate for a while.

The buckets commit on their own connection, so these tests use a committed tenant of their
own (removed afterwards) instead of the rolled-back session. Waits are asserted as the
values the bucket answers, never as measured time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from services.sync_worker.rompslomp import BudgetRegistry, RequestBudget
from services.sync_worker.rompslomp.errors import TenantPausedError
from services.sync_worker.rompslomp.pacing import TokenBuckets, pacing_for
from shared.db import create_engine


@pytest.fixture
async def tenant_id(engine: AsyncEngine) -> AsyncIterator[int]:
    async with engine.begin() as connection:
        created = await connection.scalar(
            text("INSERT INTO tenants (name) VALUES ('Pacing B.V.') RETURNING id")
        )
    assert created is not None
    yield int(created)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM tenants WHERE id = :t"), {"t": created})


@pytest.fixture
async def buckets(engine: AsyncEngine) -> AsyncIterator[TokenBuckets]:
    made = TokenBuckets(engine, rate=10.0, burst=5)
    yield made
    await made.aclose()


async def test_a_burst_is_free_then_tokens_come_at_the_rate(
    buckets: TokenBuckets, tenant_id: int
) -> None:
    started = time.monotonic()
    waits = [await buckets.take(tenant_id) for _ in range(8)]
    took = time.monotonic() - started
    assert waits[:5] == [0.0] * 5
    # The sixth owes a tenth of a second, each next one a tenth more, less the time the
    # statements themselves took (tokens keep coming meanwhile).
    later = waits[5:]
    assert later == sorted(later)
    assert 0 < later[0] <= 0.1
    assert 0.3 - took <= later[-1] <= 0.3


async def test_replicas_share_one_bucket_per_tenant(
    engine: AsyncEngine, buckets: TokenBuckets, tenant_id: int
) -> None:
    other = TokenBuckets(engine, rate=10.0, burst=5)  # another worker process
    try:
        mine = [await buckets.take(tenant_id) for _ in range(3)]
        theirs = [await other.take(tenant_id) for _ in range(3)]
    finally:
        await other.aclose()
    assert mine == [0.0, 0.0, 0.0]
    assert theirs[:2] == [0.0, 0.0]
    assert theirs[2] > 0  # the sixth token of the tenant, whoever asks


async def test_tenants_do_not_share(
    engine: AsyncEngine, buckets: TokenBuckets, tenant_id: int
) -> None:
    async with engine.begin() as connection:
        second = int(
            await connection.scalar(text("INSERT INTO tenants (name) VALUES ('B') RETURNING id"))
            or 0
        )
    try:
        for _ in range(5):
            await buckets.take(tenant_id)
        assert await buckets.take(second) == 0.0
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM tenants WHERE id = :t"), {"t": second})


async def test_a_429_halves_the_rate_and_empties_the_bucket(
    engine: AsyncEngine, buckets: TokenBuckets, tenant_id: int
) -> None:
    pacer = buckets.for_tenant(str(tenant_id))
    await buckets.take(tenant_id)
    pacer.rate_limited()
    wait = await buckets.take(tenant_id, slow=True)
    assert 0.19 < wait <= 0.2  # one token owed at half the rate: 1 / 5 per second
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT slowed_rate, slowed_until > now() + interval '50 seconds' "
                    "FROM rompslomp_request_buckets WHERE tenant_id = :t"
                ),
                {"t": tenant_id},
            )
        ).one()
    assert (row[0], row[1]) == (5.0, True)


async def test_the_budget_takes_a_token_per_request_and_a_429_slows_it_down(
    engine: AsyncEngine, tenant_id: int
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    buckets = TokenBuckets(engine, rate=2.0, burst=1, sleep=sleep)
    try:
        budget = BudgetRegistry(pacing=buckets).for_tenant(str(tenant_id))
        assert isinstance(budget, RequestBudget)
        for _ in range(3):
            async with budget.slot():
                pass
        assert len(slept) == 2  # the first was the burst
        assert 0 < slept[0] <= 0.5 < slept[1] + 0.5 <= 1.5  # a half and a whole second owed
        assert slept[0] < slept[1]
        budget.pause_for(0)  # what the client does on a 429
        async with budget.slot():
            pass
        async with engine.connect() as connection:
            slowed = await connection.scalar(
                text("SELECT slowed_rate FROM rompslomp_request_buckets WHERE tenant_id = :t"),
                {"t": tenant_id},
            )
        assert slowed == 1.0
    finally:
        await buckets.aclose()


async def test_a_turn_later_than_the_caller_may_wait_gives_the_token_back(
    buckets: TokenBuckets, tenant_id: int
) -> None:
    pacer = buckets.for_tenant(str(tenant_id))
    for _ in range(5 + 20):  # the burst, then two seconds owed at 10 a second
        await buckets.take(tenant_id)
    refused = []
    for _ in range(3):
        with pytest.raises(TenantPausedError) as caught:
            await pacer.wait_turn(max_wait=1.0)
        refused.append(caught.value.retry_after or 0.0)
    assert all(2.0 < wait <= 2.1 for wait in refused)
    # Nothing was owed for the refused turns: the next one waits no longer than they did.
    assert await buckets.take(tenant_id) <= max(refused)


async def test_a_wait_cut_short_gives_the_token_back(engine: AsyncEngine, tenant_id: int) -> None:
    started = asyncio.Event()

    async def sleep(seconds: float) -> None:
        started.set()
        await asyncio.sleep(3600)

    buckets = TokenBuckets(engine, rate=1.0, burst=1, sleep=sleep)
    try:
        pacer = buckets.for_tenant(str(tenant_id))
        await buckets.take(tenant_id)  # the burst
        waiting = asyncio.create_task(pacer.wait_turn())  # owes a second
        await started.wait()
        waiting.cancel()  # a POST's deadline, a shutdown
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await asyncio.gather(*buckets._refunds)
        # The cancelled turn's token is back: the next one owes one second, not two.
        assert 0.9 < await buckets.take(tenant_id) <= 1.0
    finally:
        await buckets.aclose()


async def test_concurrent_requests_line_up_without_asking_twice(
    buckets: TokenBuckets, tenant_id: int
) -> None:
    waits = await asyncio.gather(*(buckets.take(tenant_id) for _ in range(20)))
    assert sorted(waits)[:5] == [0.0] * 5
    assert max(waits) <= 1.5 + 0.001  # 15 owed at 10 a second
    assert len({round(w, 3) for w in waits if w > 0}) == 15  # each its own turn


async def test_a_database_out_of_reach_does_not_stop_requests() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:1/nothing", pool_size=1)
    buckets = TokenBuckets(engine, rate=1.0, burst=1)
    try:
        with capture_logs() as logs:
            assert await buckets.take(1) == 0.0
        assert [e["event"] for e in logs] == ["rompslomp.pacing.unavailable"]
    finally:
        await buckets.aclose()
        await engine.dispose()


def test_pacing_is_off_at_rate_zero(engine: AsyncEngine) -> None:
    assert pacing_for(engine, rate=0, burst=10) is None
    assert isinstance(pacing_for(engine, rate=5, burst=10), TokenBuckets)
