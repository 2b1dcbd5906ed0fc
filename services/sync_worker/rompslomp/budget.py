"""Per-tenant request budget: a cap on requests in flight plus a shared "not before" instant.

Every request a tenant makes to Rompslomp (paging, probes, exports, token refreshes excluded)
takes a slot. A 429 with ``Retry-After: N`` moves the tenant's "not before" instant N seconds
ahead; no slot is handed out until it has passed, so no request of that tenant is sent during
the wait. Requests already on the wire when the 429 arrives cannot be recalled. A caller that
may not wait long (a job slot, a person) passes ``max_wait`` and gets ``TenantPausedError``
for a longer pause (or a later turn of the tenant's pace) instead of sleeping through it.

The cap on requests in flight is per process. The pace (requests per second) is shared by
every replica when a `Pacer` is given (pacing.py: a token bucket per tenant in PostgreSQL);
a 429 then also lowers the tenant's pace for a while.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pacing import Pacer, TokenBuckets

from .errors import TenantPausedError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RequestBudget:
    def __init__(
        self,
        max_concurrency: int = 8,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        pacer: Pacer | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self.pacer = pacer
        self._clock = clock
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._not_before = 0.0
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def not_before(self) -> float:
        """The clock value before which no request may start (0 when unset)."""
        return self._not_before

    def wait_time(self) -> float:
        """Seconds until requests may be sent again (0 when not paused)."""
        return max(0.0, self._not_before - self._clock())

    def pause_for(self, seconds: float) -> None:
        """Block all of the tenant's new requests for ``seconds`` (never shortens a pause);
        a paced tenant also slows down (Rompslomp said 429)."""
        self._not_before = max(self._not_before, self._clock() + max(0.0, seconds))
        if self.pacer is not None:
            self.pacer.rate_limited()

    async def _wait_until_allowed(self, max_wait: float | None) -> None:
        while (delay := self._not_before - self._clock()) > 0:
            if max_wait is not None and delay > max_wait:
                # Too long to hold a worker (or a person) waiting: the caller goes back to
                # its queue, or answers 503 with Retry-After.
                raise TenantPausedError(
                    "the tenant is paused by Retry-After",
                    status=429,
                    code="client.rate_limit",
                    retry_after=delay,
                )
            await self._sleep(delay)

    @asynccontextmanager
    async def slot(self, *, max_wait: float | None = None) -> AsyncIterator[None]:
        """Hold one request slot; waits for a free slot and for any 429 pause to pass, but
        raises ``TenantPausedError`` instead of waiting longer than ``max_wait`` seconds."""
        # Wait before queueing on the semaphore too, so a paused tenant does not hold slots
        # while sleeping; re-check after acquiring because a 429 may have arrived meanwhile.
        await self._wait_until_allowed(max_wait)
        async with self._semaphore:
            await self._wait_until_allowed(max_wait)
            if self.pacer is not None and await self.pacer.wait_turn(max_wait):
                await self._wait_until_allowed(max_wait)  # a 429 may have arrived meanwhile
            self._in_flight += 1
            try:
                yield
            finally:
                self._in_flight -= 1


class BudgetRegistry:
    """One budget per tenant key, shared by every client of that tenant in this process."""

    def __init__(self, max_concurrency: int = 8, *, pacing: TokenBuckets | None = None) -> None:
        self._max_concurrency = max_concurrency
        self._pacing = pacing
        self._budgets: dict[str, RequestBudget] = {}

    def for_tenant(self, tenant_key: str) -> RequestBudget:
        budget = self._budgets.get(tenant_key)
        if budget is None:
            pacer = self._pacing.for_tenant(tenant_key) if self._pacing is not None else None
            budget = RequestBudget(self._max_concurrency, pacer=pacer)
            self._budgets[tenant_key] = budget
        return budget
