"""Listing every page of a Rompslomp collection.

Page 1 is fetched first to read ``X-Total``; the remaining pages are then fetched
concurrently (at most ``concurrency`` tasks at once, and every request still passes the
tenant's ``RequestBudget``). Pages are yielded in completion order, not page order: callers
diff by id. If the collection grows while it is being listed, pages past the announced end
are fetched one by one until a short page. ``complete`` tells whether the listing can be
trusted for deletions (every page answered, totals stable, item count equals ``X-Total``).

Stopping early: wrap in ``contextlib.aclosing`` so in-flight page requests are cancelled.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Rejected:
    """A record of a page that did not validate: its id when one could be read, pydantic's
    errors (``loc``, ``type``, ``input`` …) and the record as Rompslomp sent it."""

    id: int | None
    errors: list[dict[str, Any]]
    raw: Any


@dataclass(frozen=True)
class Page(Generic[T]):
    number: int
    per_page: int
    total: int | None
    items: list[T]
    # Records that failed validation; the rest of the page is still usable.
    rejected: list[Rejected] = field(default_factory=list)


PageFetcher = Callable[[int, int], Awaitable[Page[T]]]


class PageIterator(Generic[T]):
    """Async iterator over the pages of one listing; iterate it once."""

    def __init__(
        self,
        fetch: PageFetcher[T],
        *,
        per_page: int = MAX_PER_PAGE,
        concurrency: int = 8,
    ) -> None:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError("per_page must be between 1 and 100")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._fetch = fetch
        self.per_page = per_page
        self.concurrency = concurrency
        self.total: int | None = None
        self.pages_fetched = 0
        self.items_received = 0
        self.items_rejected = 0
        self._totals: set[int] = set()
        self._finished = False
        self._started = False

    @property
    def exhausted(self) -> bool:
        """True once every page was read and every page announced the same ``X-Total``."""
        return self._finished and self.total is not None and len(self._totals) == 1

    @property
    def complete(self) -> bool:
        """True once every page was read and the listing was consistent (records that
        failed validation count as received: Rompslomp did list them)."""
        return self.exhausted and self.items_received + self.items_rejected == self.total

    def __aiter__(self) -> AsyncGenerator[Page[T], None]:
        if self._started:
            raise RuntimeError("a PageIterator can be iterated only once")
        self._started = True
        return self._pages()

    async def records(self) -> AsyncGenerator[T, None]:
        """The items of every page (completion order)."""
        async for page in self:
            for item in page.items:
                yield item

    async def collect(self) -> list[T]:
        return [item async for item in self.records()]

    def _note(self, page: Page[T]) -> Page[T]:
        self.pages_fetched += 1
        self.items_received += len(page.items)
        self.items_rejected += len(page.rejected)
        if page.total is not None:
            self._totals.add(page.total)
        return page

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        first = self._note(await self._fetch(1, self.per_page))
        self.total = first.total
        yield first
        if first.total is None:
            # No X-Total: fall back to reading pages one by one until a short page.
            last = first
            while len(last.items) + len(last.rejected) >= self.per_page:
                last = self._note(await self._fetch(last.number + 1, self.per_page))
                yield last
            self.total = self.items_received + self.items_rejected
            self._totals = {self.total}
            self._finished = True
            return

        last_number = max(1, math.ceil(first.total / self.per_page))
        async for page in self._concurrent(range(2, last_number + 1)):
            yield page

        # Grown while listing (a later page reported a larger X-Total): read on past the
        # announced end until the pages cover the largest total seen, or one comes back empty.
        number = last_number
        while max(self._totals) > number * self.per_page:
            number += 1
            page = self._note(await self._fetch(number, self.per_page))
            yield page
            if not page.items and not page.rejected:
                break
        self._finished = True

    async def _concurrent(self, numbers: range) -> AsyncGenerator[Page[T], None]:
        waiting = iter(numbers)
        running: set[asyncio.Task[Page[T]]] = set()

        def start_more() -> None:
            while len(running) < self.concurrency:
                number = next(waiting, None)
                if number is None:
                    return
                running.add(asyncio.ensure_future(self._fetch(number, self.per_page)))

        try:
            start_more()
            while running:
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running.difference_update(done)
                # Results first (a failure raises here and cancels the rest), then refill
                # before handing pages to the caller so requests overlap its processing.
                failures = [exc for task in done if (exc := task.exception()) is not None]
                if failures:
                    raise failures[0]
                pages = sorted((task.result() for task in done), key=lambda p: p.number)
                start_more()
                for page in pages:
                    yield self._note(page)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
