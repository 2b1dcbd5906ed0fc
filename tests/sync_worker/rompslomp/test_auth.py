"""OAuth: refresh ahead of expiry and on 401, rotation stored before use, one refresh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from services.sync_worker.rompslomp import (
    AuthRevokedError,
    RetriableError,
    RetryPolicy,
    RompslompAuth,
    RompslompClient,
    TokenPersistError,
    TokenSet,
)
from tests.sync_worker.rompslomp.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    NEW_ACCESS,
    NEW_REFRESH,
    OLD_ACCESS,
    OLD_REFRESH,
    TOKEN_URL,
    ClientFactory,
    TokenStore,
    bearer,
    form_of,
    token_response,
    unauthorized,
)

ME = "/api/v1/me"
ME_BODY = {"me": {"first_name": "Rob S.", "last_name": "Lomp", "email": "rob@example.org"}}


def me_unless_old_token(request: httpx.Request) -> httpx.Response:
    if bearer(request) == OLD_ACCESS:
        return unauthorized()
    return httpx.Response(200, json=ME_BODY)


async def test_401_refreshes_the_token_and_retries_the_request_once(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    me = api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(return_value=token_response())

    result = await client.me()

    assert result.first_name == "Rob S."
    assert token.call_count == 1
    assert [bearer(call.request) for call in me.calls] == [OLD_ACCESS, NEW_ACCESS]


async def test_refresh_posts_the_refresh_token_grant_as_a_form(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(return_value=token_response())

    await client.me()

    request = token.calls.last.request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert form_of(request) == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": OLD_REFRESH,
    }


async def test_rotated_pair_is_persisted_before_the_retried_request_is_sent(
    api: respx.MockRouter, client: RompslompClient, store: TokenStore
) -> None:
    def me(request: httpx.Request) -> httpx.Response:
        store.events.append(f"request:{bearer(request)}")
        return me_unless_old_token(request)

    api.get(ME).mock(side_effect=me)
    api.post(TOKEN_URL).mock(return_value=token_response())

    await client.me()

    assert store.events == [
        f"request:{OLD_ACCESS}",
        f"persisted:{NEW_ACCESS}",
        f"request:{NEW_ACCESS}",
    ]
    (saved,) = store.saved
    assert (saved.access_token, saved.refresh_token) == (NEW_ACCESS, NEW_REFRESH)
    assert saved.expires_at > datetime.now(UTC) + timedelta(seconds=7000)


async def test_two_concurrent_401s_cause_exactly_one_refresh(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    async def slow_me(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # both requests are on the wire with the old token
        return me_unless_old_token(request)

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return token_response()

    me = api.get(ME).mock(side_effect=slow_me)
    token = api.post(TOKEN_URL).mock(side_effect=slow_token)

    results = await asyncio.gather(client.me(), client.me())

    assert len(results) == 2
    assert token.call_count == 1
    assert sorted(bearer(c.request) for c in me.calls) == sorted([OLD_ACCESS, NEW_ACCESS] * 2)


async def test_token_is_refreshed_ahead_of_expiry_without_waiting_for_a_401(
    api: respx.MockRouter, make_client: ClientFactory, store: TokenStore
) -> None:
    expiring = TokenSet(OLD_ACCESS, OLD_REFRESH, datetime.now(UTC) + timedelta(seconds=120))
    me = api.get(ME).mock(return_value=httpx.Response(200, json=ME_BODY))
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    client = make_client(token_set=expiring, refresh_margin=timedelta(seconds=300))

    await client.me()

    assert token.call_count == 1
    assert [bearer(c.request) for c in me.calls] == [NEW_ACCESS]
    assert len(store.saved) == 1


async def test_concurrent_requests_near_expiry_share_one_refresh(
    api: respx.MockRouter, make_client: ClientFactory
) -> None:
    expired = TokenSet(OLD_ACCESS, OLD_REFRESH, datetime.now(UTC) - timedelta(seconds=1))

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return token_response()

    api.get(ME).mock(return_value=httpx.Response(200, json=ME_BODY))
    token = api.post(TOKEN_URL).mock(side_effect=slow_token)
    client = make_client(token_set=expired)

    await asyncio.gather(*(client.me() for _ in range(4)))

    assert token.call_count == 1


async def test_401_after_a_successful_refresh_raises_auth_revoked(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    me = api.get(ME).mock(return_value=unauthorized())
    token = api.post(TOKEN_URL).mock(return_value=token_response())

    with pytest.raises(AuthRevokedError) as caught:
        await client.me()

    assert caught.value.status == 401
    assert me.call_count == 2
    assert token.call_count == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "invalid_grant"), (401, "invalid_client")],
)
async def test_refused_refresh_raises_auth_revoked_without_retrying(
    api: respx.MockRouter, client: RompslompClient, store: TokenStore, status: int, error: str
) -> None:
    api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            status, json={"error": error, "error_description": "Het verzoek is ongeldig."}
        )
    )

    with pytest.raises(AuthRevokedError) as caught:
        await client.me()

    assert caught.value.code == error
    assert token.call_count == 1
    assert store.saved == []


async def test_token_endpoint_outage_is_retriable_and_retried(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(side_effect=[httpx.ConnectError("refused"), token_response()])

    result = await client.me()

    assert result.email == "rob@example.org"
    assert token.call_count == 2


async def test_failed_persist_keeps_the_new_pair_and_never_resends_the_old_refresh_token(
    api: respx.MockRouter, make_client: ClientFactory, store: TokenStore
) -> None:
    me = api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    store.failures_left = 1
    client = make_client(retry=_single_attempt())

    with pytest.raises(TokenPersistError):
        await client.me()
    assert isinstance(TokenPersistError("x"), RetriableError)

    await client.me()  # stores the kept pair first, then uses it

    assert token.call_count == 1
    assert [s.access_token for s in store.saved] == [NEW_ACCESS]
    assert [bearer(c.request) for c in me.calls] == [OLD_ACCESS, NEW_ACCESS]


async def test_refresh_guard_adopts_a_pair_rotated_by_another_process(
    api: respx.MockRouter, tokens: TokenSet, store: TokenStore
) -> None:
    elsewhere = TokenSet("other-access", "other-refresh", datetime.now(UTC) + timedelta(hours=2))

    @asynccontextmanager
    async def row_lock() -> AsyncIterator[TokenSet | None]:
        yield elsewhere

    me = api.get(ME).mock(side_effect=me_unless_old_token)
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    auth = RompslompAuth(
        tokens,
        token_url=TOKEN_URL,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        on_token_rotated=store.on_token_rotated,
        refresh_guard=row_lock,
    )
    async with RompslompClient(auth=auth, api_url="https://api.rompslomp.test") as client:
        await client.me()

    assert token.call_count == 0
    assert [bearer(c.request) for c in me.calls] == [OLD_ACCESS, "other-access"]


def test_token_set_repr_hides_the_tokens(tokens: TokenSet) -> None:
    text = repr(tokens)
    assert OLD_ACCESS not in text
    assert OLD_REFRESH not in text


def _single_attempt() -> RetryPolicy:
    return RetryPolicy(attempts=1)
