"""OAuth 2.0 authorization code with PKCE, refresh rotation, expiry and revocation."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.rompslomp_sandbox.app import create_app
from services.rompslomp_sandbox.settings import SandboxSettings
from tests.rompslomp_sandbox.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, bearer, mint

SCOPES = "public manage:contacts manage:sales_invoices manage:products"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-entropy"


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(**extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "st-123",
    }
    params.update(extra)
    return params


def query_of(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def get_code(client: httpx.AsyncClient, **extra: str) -> str:
    response = await client.get("/oauth/authorize", params=authorize_params(**extra))
    assert response.status_code == 302
    return query_of(response)["code"]


async def exchange(client: httpx.AsyncClient, code: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    data.update(extra)
    return await client.post("/oauth/token", data=data)


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return await client.post("/oauth/token", data=data)


async def test_auto_approve_redirects_with_code_and_state(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth/authorize", params=authorize_params())
    assert response.status_code == 302
    query = query_of(response)
    assert query["state"] == "st-123"
    assert query["code"]


async def test_code_exchange_returns_the_reference_token_body(client: httpx.AsyncClient) -> None:
    response = await exchange(client, await get_code(client))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
        "created_at",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200
    assert body["scope"] == SCOPES
    assert response.headers["cache-control"] == "no-store"


async def test_token_from_code_reaches_the_api(client: httpx.AsyncClient, company_id: int) -> None:
    body = (await exchange(client, await get_code(client))).json()
    response = await client.get("/api/v1/companies", headers=bearer(body["access_token"]))
    assert response.status_code == 200


async def test_code_can_be_used_only_once(client: httpx.AsyncClient) -> None:
    code = await get_code(client)
    await exchange(client, code)
    again = await exchange(client, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_code_exchange_with_other_redirect_uri_is_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    response = await exchange(client, await get_code(client), redirect_uri="http://evil.test/cb")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_wrong_client_secret_is_401_invalid_client(client: httpx.AsyncClient) -> None:
    response = await exchange(client, await get_code(client), client_secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_pkce_s256_with_the_right_verifier_succeeds(client: httpx.AsyncClient) -> None:
    code = await get_code(client, code_challenge=challenge(VERIFIER), code_challenge_method="S256")
    response = await exchange(client, code, code_verifier=VERIFIER)
    assert response.status_code == 200


async def test_pkce_s256_with_a_wrong_verifier_is_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    code = await get_code(client, code_challenge=challenge(VERIFIER), code_challenge_method="S256")
    response = await exchange(client, code, code_verifier="x" * 50)
    assert response.json()["error"] == "invalid_grant"


async def test_pkce_challenge_without_verifier_is_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    code = await get_code(client, code_challenge=challenge(VERIFIER), code_challenge_method="S256")
    response = await exchange(client, code)
    assert response.json()["error"] == "invalid_grant"


async def test_unknown_scope_redirects_with_invalid_scope(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth/authorize", params=authorize_params(scope="write:all"))
    assert query_of(response)["error"] == "invalid_scope"


async def test_unregistered_redirect_uri_shows_an_error_page_without_redirect(
    client: httpx.AsyncClient,
) -> None:
    params = authorize_params(redirect_uri="http://evil.test/cb")
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_refresh_returns_a_new_pair(client: httpx.AsyncClient) -> None:
    first = (await exchange(client, await get_code(client))).json()
    response = await refresh(client, first["refresh_token"])
    second = response.json()
    assert response.status_code == 200
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == SCOPES


async def test_old_refresh_token_is_refused_after_rotation(client: httpx.AsyncClient) -> None:
    first = (await exchange(client, await get_code(client))).json()
    await refresh(client, first["refresh_token"])
    again = await refresh(client, first["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_new_refresh_token_keeps_working_after_rotation(
    client: httpx.AsyncClient,
) -> None:
    first = (await exchange(client, await get_code(client))).json()
    second = (await refresh(client, first["refresh_token"])).json()
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200


async def test_refresh_accepts_multipart_form_like_curl(client: httpx.AsyncClient) -> None:
    first = (await exchange(client, await get_code(client))).json()
    fields = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    files = {name: (None, value) for name, value in fields.items()}
    response = await client.post("/oauth/token", files=files)
    assert response.status_code == 200


async def test_expired_access_token_is_401_verlopen_but_refresh_still_works(
    client: httpx.AsyncClient, company_id: int
) -> None:
    tokens = await mint(client)
    expired = await client.post(
        "/_sandbox/tokens/expire", json={"access_token": tokens["access_token"]}
    )
    assert expired.status_code == 204
    response = await client.get("/api/v1/companies", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert "verlopen" in response.headers["WWW-Authenticate"]
    assert (await refresh(client, tokens["refresh_token"])).status_code == 200


async def test_minted_token_with_short_lifetime_expires_on_its_own(
    client: httpx.AsyncClient, app: Any
) -> None:
    tokens = await mint(client, expires_in=1)
    token = app.state.sandbox.access_tokens[tokens["access_token"]]
    token.expires_at -= 1  # pretend a second passed instead of sleeping
    response = await client.get("/api/v1/companies", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


async def test_revoked_refresh_token_is_invalid_grant_and_its_access_token_401(
    client: httpx.AsyncClient, company_id: int
) -> None:
    tokens = await mint(client)
    revoked = await client.post(
        "/_sandbox/tokens/revoke", json={"refresh_token": tokens["refresh_token"]}
    )
    assert revoked.status_code == 204
    assert (await refresh(client, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    response = await client.get("/api/v1/companies", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


async def test_revoke_without_body_revokes_every_grant(client: httpx.AsyncClient) -> None:
    one, two = await mint(client), await mint(client)
    await client.post("/_sandbox/tokens/revoke")
    assert (await refresh(client, one["refresh_token"])).status_code == 400
    assert (await refresh(client, two["refresh_token"])).status_code == 400


@pytest.fixture
async def consent_client() -> AsyncIterator[httpx.AsyncClient]:
    settings = SandboxSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=f"http://other.test/cb,{REDIRECT_URI}",
        auto_approve=False,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client


async def test_consent_page_lists_the_requested_scopes(
    consent_client: httpx.AsyncClient,
) -> None:
    response = await consent_client.get("/oauth/authorize", params=authorize_params())
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    for scope in SCOPES.split():
        assert scope in response.text
    assert 'value="approve"' in response.text
    assert 'value="deny"' in response.text


async def test_consent_approve_redirects_with_a_working_code(
    consent_client: httpx.AsyncClient,
) -> None:
    form = {**authorize_params(), "decision": "approve"}
    response = await consent_client.post("/oauth/authorize", data=form)
    assert response.status_code == 303
    code = query_of(response)["code"]
    assert (await exchange(consent_client, code)).status_code == 200


async def test_consent_deny_redirects_with_access_denied(
    consent_client: httpx.AsyncClient,
) -> None:
    form = {**authorize_params(), "decision": "deny"}
    response = await consent_client.post("/oauth/authorize", data=form)
    query = query_of(response)
    assert query["error"] == "access_denied"
    assert query["state"] == "st-123"
    assert "code" not in query


async def test_code_exchange_without_the_sent_redirect_uri_is_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    code = await get_code(client)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    response = await client.post("/oauth/token", data=data)
    assert response.json()["error"] == "invalid_grant"
