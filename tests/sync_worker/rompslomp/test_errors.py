"""Error classification, and no secrets in logs or error messages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
import structlog

from services.sync_worker.rompslomp import (
    AuthRevokedError,
    FatalError,
    FieldError,
    NotFoundError,
    RetriableError,
    RompslompClient,
)
from services.sync_worker.rompslomp.errors import (
    BODY_EXCERPT_CHARS,
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    parse_field_errors,
    parse_retry_after,
)
from tests.sync_worker.rompslomp.support import (
    CLIENT_SECRET,
    COMPANY,
    NEW_ACCESS,
    NEW_REFRESH,
    OLD_ACCESS,
    OLD_REFRESH,
    TOKEN_URL,
    bearer,
    token_response,
    unauthorized,
)

CONTACTS = f"/api/v1/companies/{COMPANY}/contacts"


async def test_422_raises_fatal_error_with_the_field_errors(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(f"{CONTACTS}/7").mock(
        return_value=httpx.Response(
            422,
            json={
                "error": {
                    "type": "client.parameters.validation",
                    "message": "Contact is invalid: Bedrijfsnaam moet opgegeven zijn, "
                    "E-mailadres is ongeldig",
                }
            },
        )
    )

    with pytest.raises(FatalError) as caught:
        await client.get_contact(COMPANY, 7)

    assert caught.value.status == 422
    assert caught.value.code == "client.parameters.validation"
    assert caught.value.field_errors == (
        FieldError(None, "Bedrijfsnaam moet opgegeven zijn"),
        FieldError(None, "E-mailadres is ongeldig"),
    )
    assert route.call_count == 1


def test_structured_field_errors_are_preferred_over_the_message() -> None:
    raw = {"type": "x", "message": "Contact is invalid", "errors": {"company_name": ["leeg"]}}

    assert parse_field_errors("Contact is invalid", raw) == (FieldError("company_name", "leeg"),)


async def test_404_raises_not_found_error(api: respx.MockRouter, client: RompslompClient) -> None:
    api.get(f"{CONTACTS}/8").mock(
        return_value=httpx.Response(
            404, json={"error": {"type": "client.not_found.resource", "message": "Niet gevonden"}}
        )
    )

    with pytest.raises(NotFoundError) as caught:
        await client.get_contact(COMPANY, 8)

    assert caught.value.code == "client.not_found.resource"


async def test_403_is_fatal_and_not_retried(api: respx.MockRouter, client: RompslompClient) -> None:
    route = api.get(CONTACTS).mock(
        return_value=httpx.Response(
            403,
            json={"error": {"type": "client.authorization.access_denied", "message": "Nee"}},
        )
    )

    with pytest.raises(FatalError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert not isinstance(caught.value, NotFoundError)
    assert caught.value.status == 403
    assert route.call_count == 1


async def test_error_message_holds_only_an_excerpt_of_a_large_body(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(CONTACTS).mock(return_value=httpx.Response(400, text="x" * 5000))

    with pytest.raises(FatalError) as caught:
        await client.probe_total(COMPANY, "contacts")

    assert len(str(caught.value)) < BODY_EXCERPT_CHARS + 20


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("3600", 3600.0),
        ("86400", MAX_RETRY_AFTER),  # a day is clamped to an hour
        ("1e9", MAX_RETRY_AFTER),
        ("inf", DEFAULT_RETRY_AFTER),
        ("-inf", DEFAULT_RETRY_AFTER),
        ("nan", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # a date in the past: now
        ("Mon, 02 Mar 2026 12:00:00 GMT", MAX_RETRY_AFTER),
    ],
)
def test_retry_after_is_clamped_to_an_hour_and_unusable_values_get_a_default(
    header: str, seconds: float
) -> None:
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after(header, now=now) == seconds


async def test_logs_and_errors_of_a_refresh_and_a_failure_contain_no_token(
    api: respx.MockRouter,
    client: RompslompClient,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    def me(request: httpx.Request) -> httpx.Response:
        if bearer(request) == OLD_ACCESS:
            return unauthorized()
        return httpx.Response(
            422,
            json={"error": {"type": "client.parameters.validation", "message": "Me is invalid"}},
        )

    api.get("/api/v1/me").mock(side_effect=me)
    api.get(CONTACTS).mock(return_value=httpx.Response(503, text="down"))
    api.post(TOKEN_URL).mock(return_value=token_response())
    caplog.set_level(logging.DEBUG)

    with structlog.testing.capture_logs() as events:
        with pytest.raises(FatalError) as fatal:
            await client.me()
        with pytest.raises(RetriableError) as retriable:
            await client.probe_total(COMPANY, "contacts")

    captured = capfd.readouterr()
    haystack = "\n".join(
        [
            repr(events),
            caplog.text,
            captured.out,
            captured.err,
            str(fatal.value),
            repr(fatal.value),
            str(retriable.value),
            repr(client.auth),
        ]
    )
    assert any(e["event"] == "rompslomp.token.rotated" for e in events)
    assert any(e["event"] == "rompslomp.request.retried" for e in events)
    for secret in (OLD_ACCESS, OLD_REFRESH, NEW_ACCESS, NEW_REFRESH, CLIENT_SECRET):
        assert secret not in haystack


async def test_refused_refresh_error_carries_no_token(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get("/api/v1/me").mock(return_value=unauthorized())
    api.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_grant", "error_description": f"bad {OLD_REFRESH}"[:4]}
        )
    )

    with pytest.raises(AuthRevokedError) as caught:
        await client.me()

    assert OLD_REFRESH not in str(caught.value)
    assert OLD_ACCESS not in str(caught.value)


def test_expiry_margin_is_checked_against_expires_at() -> None:
    from services.sync_worker.rompslomp import TokenSet

    now = datetime.now(UTC)
    tokens = TokenSet("a", "r", now + timedelta(seconds=200))

    assert tokens.expires_within(timedelta(seconds=300), now=now)
    assert not tokens.expires_within(timedelta(seconds=100), now=now)
