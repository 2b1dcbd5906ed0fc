"""Pacing every tenant's requests to Rompslomp before a 429 does it for us (issue 11 §6).

Rompslomp publishes no rate limit; the original synced once a day for fear of one. Each
tenant gets a token bucket in PostgreSQL (`rompslomp_request_buckets`, one row), shared by
every worker replica: `rate` tokens a second, at most `burst` in store. A request takes a
token in one statement (one round trip on a connection kept for it); when the bucket is
empty the token is taken on credit and the request waits until the refill has paid it
back, so waiting requests line up at the rate without asking again. A request that may
not wait that long (a job slot, a person: `max_wait`) gives its token back and is refused
with `TenantPausedError` (the job goes back to the queue for that moment), and so does a
wait cut short (a timeout, a shutdown): a token is owed only by a request that will be
sent, so abandoned waits never pile up a debt that starves the tenant. A 429 halves the
tenant's rate (down to `min_rate`, an eighth of the rate by default) and empties its
bucket, for `slowdown` seconds after the last 429; the budget (budget.py) still honours the
429's Retry-After itself.

A database that cannot be reached does not stop requests: pacing is skipped (and logged),
Rompslomp's own 429s remain the backstop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .errors import TenantPausedError

log = structlog.get_logger("services.sync_worker.rompslomp.pacing")

Sleep = Callable[[float], Awaitable[None]]

# $1 tenant, $2 rate, $3 burst, $4 slow down now, $5 lowest rate, $6 slowdown seconds.
_RATE_NOW = (
    "(CASE WHEN b.slowed_until > statement_timestamp() THEN b.slowed_rate ELSE $2::float8 END)"
)
_REFILLED = (
    f"least($3::float8, b.tokens + extract(epoch FROM statement_timestamp() - b.refilled_at)"
    f"::float8 * {_RATE_NOW})"
)
_TAKE = f"""
    INSERT INTO rompslomp_request_buckets AS b
        (tenant_id, tokens, refilled_at, slowed_rate, slowed_until)
    VALUES ($1, CASE WHEN $4 THEN 0 ELSE $3::float8 END - 1, statement_timestamp(),
            CASE WHEN $4 THEN greatest($5::float8, $2::float8 * 0.5) END,
            CASE WHEN $4 THEN statement_timestamp() + make_interval(secs => $6::float8) END)
    ON CONFLICT (tenant_id) DO UPDATE SET
        tokens = CASE WHEN $4 THEN least(0, {_REFILLED}) ELSE {_REFILLED} END - 1,
        refilled_at = statement_timestamp(),
        slowed_rate = CASE
            WHEN $4 THEN greatest($5::float8, {_RATE_NOW} * 0.5)
            WHEN b.slowed_until > statement_timestamp() THEN b.slowed_rate END,
        slowed_until = CASE
            WHEN $4 THEN statement_timestamp() + make_interval(secs => $6::float8)
            WHEN b.slowed_until > statement_timestamp() THEN b.slowed_until END
    RETURNING tokens, coalesce(slowed_rate, $2::float8)
"""  # noqa: S608 - constant SQL, no input
# $1 tenant, $2 burst: a token taken but not used (the request was not sent).
_GIVE_BACK = (
    "UPDATE rompslomp_request_buckets SET tokens = least($2::float8, tokens + 1) "
    "WHERE tenant_id = $1"
)


class TokenBuckets:
    """Every tenant's bucket, over one database connection of this process."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        rate: float,
        burst: int,
        slowdown: float = 60.0,
        min_rate: float | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.slowdown = slowdown
        self.min_rate = rate / 8 if min_rate is None else min(min_rate, rate)
        self._engine = engine
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._driver: Any = None  # the asyncpg connection under it
        self._refunds: set[asyncio.Task[None]] = set()

    def for_tenant(self, tenant_key: str) -> Pacer:
        return Pacer(self, int(tenant_key))

    async def take(self, tenant_id: int, *, slow: bool = False) -> float:
        """Take one token of the tenant's; the seconds to wait before using it."""
        async with self._lock:
            try:
                driver = await self._connect()
                tokens, rate = await driver.fetchrow(
                    _TAKE,
                    tenant_id,
                    self.rate,
                    float(self.burst),
                    slow,
                    self.min_rate,
                    self.slowdown,
                )
            except Exception as exc:
                log.warning("rompslomp.pacing.unavailable", tenant_id=tenant_id, error=repr(exc))
                await self._drop()
                return 0.0
        return max(0.0, -float(tokens) / float(rate))

    async def give_back(self, tenant_id: int) -> None:
        """Return a token that was taken for a request that will not be sent."""
        async with self._lock:
            try:
                driver = await self._connect()
                await driver.execute(_GIVE_BACK, tenant_id, float(self.burst))
            except Exception as exc:
                log.warning("rompslomp.pacing.unavailable", tenant_id=tenant_id, error=repr(exc))
                await self._drop()

    def give_back_later(self, tenant_id: int) -> None:
        """`give_back` from a task being cancelled: in a task of its own."""
        task = asyncio.get_running_loop().create_task(self.give_back(tenant_id))
        self._refunds.add(task)
        task.add_done_callback(self._refunds.discard)

    async def _connect(self) -> Any:
        if self._driver is None:
            # Kept for the process's life: a statement per request, no pool round trips.
            self._connection = await self._engine.connect()
            raw = await self._connection.get_raw_connection()
            # Every take commits by itself, under the process's one lock: without waiting
            # for the disk. A crash loses at most the last few takes (a few requests more
            # than the pace for a moment; Rompslomp's 429s stay the backstop).
            driver: Any = raw.driver_connection
            await driver.execute("SET synchronous_commit TO OFF")
            self._driver = driver
        return self._driver

    async def _drop(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            try:
                await connection.invalidate()
                await connection.close()
            except Exception as exc:  # already broken: nothing left to release
                log.debug("rompslomp.pacing.drop_failed", error=repr(exc))

    async def aclose(self) -> None:
        # Tokens of waits cut short by the shutdown go back first, then the connection.
        await asyncio.gather(*self._refunds, return_exceptions=True)
        async with self._lock:
            connection, self._connection, self._driver = self._connection, None, None
            if connection is not None:
                # Not back into the pool: it no longer waits for the disk on commit.
                await connection.invalidate()
                await connection.close()


class Pacer:
    """One tenant's turn-taking, as its RequestBudget uses it."""

    def __init__(self, buckets: TokenBuckets, tenant_id: int) -> None:
        self._buckets = buckets
        self.tenant_id = tenant_id
        self._slow_down = False

    async def wait_turn(self, max_wait: float | None = None) -> float:
        """Take a token and wait until it may be used; the seconds waited. A turn later than
        `max_wait` seconds gives the token back and raises `TenantPausedError`."""
        slow, self._slow_down = self._slow_down, False
        buckets = self._buckets
        wait = await buckets.take(self.tenant_id, slow=slow)
        if max_wait is not None and wait > max_wait:
            await buckets.give_back(self.tenant_id)
            raise TenantPausedError(
                "the tenant's pace allows its next request later",
                status=429,
                code="client.paced",
                retry_after=wait,
            )
        if wait > 0:
            try:
                await buckets._sleep(wait)
            except asyncio.CancelledError:
                buckets.give_back_later(self.tenant_id)
                raise
        return wait

    def rate_limited(self) -> None:
        """Rompslomp answered 429: the next token taken lowers the tenant's rate."""
        self._slow_down = True


def pacing_for(engine: AsyncEngine, *, rate: float, burst: int) -> TokenBuckets | None:
    """The process's buckets, or None when pacing is off (`rate` 0)."""
    return TokenBuckets(engine, rate=rate, burst=burst) if rate > 0 else None
