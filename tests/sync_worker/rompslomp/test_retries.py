"""Retries: 5xx/timeouts with backoff, 429 Retry-After pausing the tenant, POSTs not blind."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import httpx
import pytest
import respx

from services.sync_worker.rompslomp import (
    AmbiguousOutcomeError,
    RateLimitedError,
    RequestBudget,
    RetriableError,
    RetryPolicy,
    RompslompClient,
    SalesInvoiceCreate,
    SalesInvoiceLineCreate,
)
from services.sync_worker.rompslomp.errors import TenantPausedError
from tests.sync_worker.rompslomp.support import COMPANY, ClientFactory, contacts_page

CONTACTS = f"/api/v1/companies/{COMPANY}/contacts"
INVOICES = f"/api/v1/companies/{COMPANY}/sales_invoices"


def server_error(status: int = 500) -> httpx.Response:
    return httpx.Response(status, json={"error": {"type": "server", "message": "oeps"}})


def rate_limited(seconds: str) -> httpx.Response:
    return httpx.Response(
        429,
        headers={"Retry-After": seconds},
        json={"error": {"type": "client.rate_limit", "message": "te veel verzoeken"}},
    )


def invoice() -> SalesInvoiceCreate:
    return SalesInvoiceCreate(
        contact_id=42,
        api_reference="simon-wo-1-7",
        date=date(2026, 3, 1),
        invoice_lines=[
            SalesInvoiceLineCreate(
                description="Arbeid", price_per_unit=Decimal("75.00"), quantity=Decimal("4")
            )
        ],
    )


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def test_get_is_retried_after_a_5xx_and_then_succeeds(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    outcomes = iter([server_error(502), None])

    def flaky(request: httpx.Request) -> httpx.Response:
        return next(outcomes) or contacts_page(request, 3)

    route = api.get(CONTACTS).mock(side_effect=flaky)

    contacts = await client.iter_contacts(COMPANY).collect()

    assert len(contacts) == 3
    assert route.call_count == 2


async def test_get_raises_retriable_error_after_all_attempts_fail_with_5xx(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(CONTACTS).mock(return_value=server_error(503))

    with pytest.raises(RetriableError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert caught.value.status == 503
    assert caught.value.code == "server"
    assert route.call_count == 3  # FAST_RETRY.attempts


async def test_get_timeouts_are_retried_then_raise_retriable_error(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(CONTACTS).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(RetriableError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert not isinstance(caught.value, AmbiguousOutcomeError)
    assert caught.value.code == "timeout"
    assert route.call_count == 3


async def test_backoff_grows_exponentially_with_full_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)

    samples = {attempt: [policy.backoff(attempt) for _ in range(200)] for attempt in (1, 3, 6)}

    assert all(0.0 <= s <= 1.0 for s in samples[1])
    assert all(0.0 <= s <= 4.0 for s in samples[3])
    assert max(samples[3]) > 1.0
    assert all(0.0 <= s <= 8.0 for s in samples[6])  # capped
    assert len(set(samples[3])) > 100  # jittered


def contacts_page_of(total: int) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: contacts_page(request, total)


async def test_no_request_is_sent_before_retry_after_has_passed(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    clock = FakeClock()
    sent_at: list[tuple[str, float]] = []
    limited_at: list[float] = []

    async def limit_page_3_once(request: httpx.Request) -> httpx.Response:
        page = request.url.params["page"]
        sent_at.append((page, clock()))
        await asyncio.sleep(0)
        if page == "3" and not limited_at:
            limited_at.append(clock())
            return rate_limited("30")
        return contacts_page(request, 1200)

    api.get(CONTACTS).mock(side_effect=limit_page_3_once)
    client = make_client(
        budget=RequestBudget(4, clock=clock, sleep=clock.sleep),
        retry=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002, max_retry_after=60),
    )

    contacts = await client.iter_contacts(COMPANY).collect()

    assert len(contacts) == 1200
    (limit_time,) = limited_at
    after = [t for _, t in sent_at[sent_at.index(("3", limit_time)) + 1 :]]
    assert after, "requests continued after the 429"
    # Requests that were already in flight may land before; none may *start* in the pause.
    assert all(t <= limit_time or t >= limit_time + 30 for t in after)
    retried = [t for page, t in sent_at if page == "3"]
    assert retried[1] >= limit_time + 30


async def test_429_pauses_other_requests_of_the_tenant_in_real_time(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    sent: list[tuple[str, float]] = []
    limited = asyncio.Event()

    def contacts(request: httpx.Request) -> httpx.Response:
        sent.append(("contacts", time.monotonic()))
        if not limited.is_set():
            limited.set()
            return rate_limited("1")
        return contacts_page(request, 1)

    def products(request: httpx.Request) -> httpx.Response:
        sent.append(("products", time.monotonic()))
        return httpx.Response(200, headers={"X-Total": "0"}, json={"products": []})

    api.get(CONTACTS).mock(side_effect=contacts)
    api.get(f"/api/v1/companies/{COMPANY}/products").mock(side_effect=products)

    async def probe_products_after_the_429() -> int:
        await limited.wait()
        await asyncio.sleep(0.01)
        return await client.probe_total(COMPANY, "products")

    await asyncio.gather(client.probe_total(COMPANY, "contacts"), probe_products_after_the_429())

    limited_at = sent[0][1]
    assert {name for name, _ in sent[1:]} == {"contacts", "products"}
    assert all(t - limited_at >= 0.99 for _, t in sent[1:])


async def test_retry_after_beyond_the_limit_is_raised_not_slept(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    route = api.get(CONTACTS).mock(return_value=rate_limited("3600"))
    client = make_client(retry=RetryPolicy(attempts=3, base_delay=0.001, max_retry_after=60))

    with pytest.raises(RateLimitedError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert caught.value.retry_after == 3600
    assert route.call_count == 1
    assert client.budget.wait_time() > 3500  # the tenant stays paused for other callers


async def test_a_tenant_paused_longer_than_the_policy_allows_raises_without_sending(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    route = api.get(CONTACTS).mock(side_effect=contacts_page_of(1))
    clock = FakeClock()
    client = make_client(
        budget=RequestBudget(4, clock=clock, sleep=clock.sleep),
        retry=RetryPolicy(attempts=3, base_delay=0.001, max_retry_after=5),
    )
    client.budget.pause_for(600)  # an earlier 429 of another job of the tenant

    with pytest.raises(RateLimitedError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert clock.now == 100.0  # nothing slept
    assert caught.value.retry_after == 600
    assert route.call_count == 0


class CountingPacer:
    """A pace that never waits and counts the slow-downs it is asked for."""

    def __init__(self) -> None:
        self.slow_downs = 0

    async def wait_turn(self, max_wait: float | None = None) -> float:
        return 0.0

    def rate_limited(self) -> None:
        self.slow_downs += 1


async def test_a_request_refused_for_a_pause_neither_pauses_nor_slows_the_tenant_again(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    # Each job turned away by the pause of one 429 used to count as another 429: the
    # tenant's pace was halved again and again (down to a request every ten seconds).
    route = api.get(CONTACTS).mock(side_effect=contacts_page_of(1))
    clock = FakeClock()
    pacer = CountingPacer()
    client = make_client(
        budget=RequestBudget(4, clock=clock, sleep=clock.sleep, pacer=pacer),  # type: ignore[arg-type]  # a stand-in Pacer
        retry=RetryPolicy(attempts=3, base_delay=0.001, max_retry_after=5),
    )
    client.budget.pause_for(60)  # Rompslomp's one 429
    not_before = client.budget.not_before

    for _ in range(3):
        with pytest.raises(TenantPausedError):
            await client.probe_total(COMPANY, "contacts")

    assert pacer.slow_downs == 1
    assert client.budget.not_before == not_before
    assert route.call_count == 0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("connection dropped"),
        httpx.ReadError("reset by peer"),
        server_error(502),
    ],
    ids=["read-timeout", "dropped", "reset", "502"],
)
async def test_post_with_unknown_outcome_raises_ambiguous_and_is_not_retried(
    api: respx.MockRouter, client: RompslompClient, failure: Exception | httpx.Response
) -> None:
    route = api.post(INVOICES).mock(side_effect=[failure])

    with pytest.raises(AmbiguousOutcomeError):
        await client.create_sales_invoice(COMPANY, invoice())

    assert route.call_count == 1


async def test_post_that_never_connected_is_retried(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    created = httpx.Response(201, json={"sales_invoice": {"id": 9, "status": "concept"}})
    route = api.post(INVOICES).mock(side_effect=[httpx.ConnectError("refused"), created])

    result = await client.create_sales_invoice(COMPANY, invoice())

    assert result.id == 9
    assert route.call_count == 2


async def test_post_rejected_with_429_is_retried_after_the_pause(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    created = httpx.Response(201, json={"sales_invoice": {"id": 9, "status": "concept"}})
    route = api.post(INVOICES).mock(side_effect=[rate_limited("0"), created])

    result = await client.create_sales_invoice(COMPANY, invoice())

    assert result.id == 9
    assert route.call_count == 2
