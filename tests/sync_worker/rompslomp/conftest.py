"""Fixtures for the Rompslomp client tests: a client against respx, tiny backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import respx

from services.sync_worker.rompslomp import (
    RequestBudget,
    RetryPolicy,
    RompslompAuth,
    RompslompClient,
    TokenSet,
)
from tests.sync_worker.rompslomp.support import (
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    FAST_RETRY,
    OLD_ACCESS,
    OLD_REFRESH,
    TOKEN_URL,
    ClientFactory,
    TokenStore,
)


@pytest.fixture
def store() -> TokenStore:
    return TokenStore()


@pytest.fixture
def tokens() -> TokenSet:
    return TokenSet(
        access_token=OLD_ACCESS,
        refresh_token=OLD_REFRESH,
        expires_at=datetime.now(UTC) + timedelta(hours=2),
    )


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def make_client(store: TokenStore, tokens: TokenSet) -> AsyncIterator[ClientFactory]:
    made: list[RompslompClient] = []

    def factory(
        *,
        budget: RequestBudget | None = None,
        retry: RetryPolicy = FAST_RETRY,
        token_set: TokenSet | None = None,
        refresh_margin: timedelta = timedelta(seconds=300),
    ) -> RompslompClient:
        auth = RompslompAuth(
            token_set or tokens,
            token_url=TOKEN_URL,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            on_token_rotated=store.on_token_rotated,
            refresh_margin=refresh_margin,
        )
        client = RompslompClient(
            auth=auth, api_url=API, budget=budget or RequestBudget(4), retry=retry
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> RompslompClient:
    return make_client()
