"""Listing all pages: X-Total first, then the rest concurrently within the budget."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import httpx
import pytest
import respx

from services.sync_worker.rompslomp import (
    Contact,
    RequestBudget,
    RetriableError,
    RompslompClient,
)
from tests.sync_worker.rompslomp.support import (
    API,
    COMPANY,
    ClientFactory,
    contact,
    contacts_page,
)

CONTACTS = f"/api/v1/companies/{COMPANY}/contacts"


async def test_iter_contacts_yields_every_contact_of_every_page(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(CONTACTS).mock(side_effect=lambda request: contacts_page(request, 250))

    listing = client.iter_contacts(COMPANY)
    contacts = await listing.collect()

    assert sorted(c.id for c in contacts) == [500_000 + n for n in range(1, 251)]
    assert all(isinstance(c, Contact) for c in contacts)
    assert listing.total == 250
    assert listing.complete
    assert api.calls.call_count == 3


async def test_pages_are_requested_with_per_page_100_and_the_selection(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(CONTACTS).mock(side_effect=lambda request: contacts_page(request, 150))

    await client.iter_contacts(COMPANY, selection="customers").collect()

    params = [call.request.url.params for call in route.calls]
    assert [p["page"] for p in params] == ["1", "2"]
    assert {p["per_page"] for p in params} == {"100"}
    assert {p["selection"] for p in params} == {"customers"}


async def test_concurrent_paging_never_exceeds_the_budget_concurrency(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    in_flight = 0
    most_in_flight = 0

    async def slow_page(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            await asyncio.sleep(0.01)
            return contacts_page(request, 3000)
        finally:
            in_flight -= 1

    api.get(CONTACTS).mock(side_effect=slow_page)
    client = make_client(budget=RequestBudget(3))

    contacts = await client.iter_contacts(COMPANY).collect()

    assert len(contacts) == 3000
    assert most_in_flight == 3  # concurrent, and never above the budget


async def test_budget_is_shared_with_other_requests_of_the_tenant(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    in_flight = 0
    most_in_flight = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            await asyncio.sleep(0.01)
            if request.url.params.get("per_page") == "1":
                return httpx.Response(200, headers={"X-Total": "7"}, json={"contacts": []})
            return contacts_page(request, 1000)
        finally:
            in_flight -= 1

    api.get(CONTACTS).mock(side_effect=slow)
    client = make_client(budget=RequestBudget(2))

    await asyncio.gather(
        client.iter_contacts(COMPANY).collect(),
        *(client.probe_total(COMPANY, "contacts") for _ in range(5)),
    )

    assert most_in_flight == 2


async def test_listing_without_x_total_reads_pages_until_a_short_one(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    def no_total(request: httpx.Request) -> httpx.Response:
        page = contacts_page(request, 230)
        del page.headers["X-Total"]
        return page

    route = api.get(CONTACTS).mock(side_effect=no_total)

    listing = client.iter_contacts(COMPANY)
    contacts = await listing.collect()

    assert len(contacts) == 230
    assert route.call_count == 3
    assert listing.complete


async def test_listing_that_grows_while_paging_reads_past_the_announced_end(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    def growing(request: httpx.Request) -> httpx.Response:
        # 150 when page 1 is read, 210 by the time page 2 is read.
        total = 150 if request.url.params["page"] == "1" else 210
        return contacts_page(request, total)

    route = api.get(CONTACTS).mock(side_effect=growing)

    listing = client.iter_contacts(COMPANY)
    contacts = await listing.collect()

    assert len(contacts) == 210
    assert route.call_count == 3
    assert not listing.complete  # totals moved: not safe for deletion detection


async def test_empty_collection_is_one_request_and_complete(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(CONTACTS).mock(side_effect=lambda request: contacts_page(request, 0))

    listing = client.iter_contacts(COMPANY)

    assert await listing.collect() == []
    assert route.call_count == 1
    assert listing.complete


async def test_a_page_that_keeps_failing_raises_and_cancels_the_other_pages(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    started: list[str] = []

    async def page_five_breaks(request: httpx.Request) -> httpx.Response:
        page = request.url.params["page"]
        started.append(page)
        if page == "5":
            return httpx.Response(503, json={"error": {"type": "server", "message": "down"}})
        await asyncio.sleep(0.02)
        return contacts_page(request, 5000)

    api.get(CONTACTS).mock(side_effect=page_five_breaks)
    client = make_client(budget=RequestBudget(4))

    async def read_all() -> None:
        async with aclosing(client.iter_contacts(COMPANY).records()) as records:
            async for _ in records:
                pass

    with pytest.raises(RetriableError) as caught:
        await read_all()

    assert caught.value.status == 503
    assert len(started) < 50  # the 50-page listing stopped early


async def test_early_stop_with_aclosing_cancels_in_flight_pages(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return contacts_page(request, 2000)

    route = api.get(CONTACTS).mock(side_effect=slow)
    client = make_client(budget=RequestBudget(2))

    async with aclosing(client.iter_contacts(COMPANY).__aiter__()) as pages:
        async for page in pages:
            if page.number != 1:
                break

    calls_at_stop = route.call_count
    await asyncio.sleep(0.05)
    assert route.call_count == calls_at_stop
    assert client.budget.in_flight == 0


async def test_probe_total_reads_x_total_with_per_page_1(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(f"/api/v1/companies/{COMPANY}/products").mock(
        return_value=httpx.Response(
            200,
            headers={"X-Page": "1", "X-Per-Page": "1", "X-Total": "4321"},
            json={"products": []},
        )
    )

    assert await client.probe_total(COMPANY, "products") == 4321
    assert route.calls.last.request.url.params["per_page"] == "1"


def test_contact_fixture_matches_the_model() -> None:
    assert Contact.model_validate(contact(1)).contact_number == "K00001"


async def test_a_page_url_is_the_one_httpx_builds_from_the_parameters(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    """The paging encodes its query once and appends each page's number: the URLs sent are
    the ones httpx makes of the same parameters."""
    products = f"/api/v1/companies/{COMPANY}/products"
    route = api.get(products).mock(
        return_value=httpx.Response(200, json={"products": []}, headers={"X-Total": "0"})
    )

    await client.iter_products(
        COMPANY, query="ketel & co/ß", product_codes=["P 1", "P+2"]
    ).collect()

    params: dict[str, str | int | list[str]] = {
        "selection": "all",
        "search[q]": "ketel & co/ß",
        "search[product_codes][]": ["P 1", "P+2"],
        "page": 1,
        "per_page": 100,
    }
    expected = httpx.Request("GET", f"{API}{products}", params=params).url
    assert [call.request.url for call in route.calls] == [expected]
