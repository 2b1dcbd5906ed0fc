"""Failures talking to Rompslomp, classified by what the caller should do next.

- ``RetriableError``: try again later (429, 5xx, timeouts, transport errors).
- ``AmbiguousOutcomeError``: a write may or may not have happened; reconcile before retrying.
- ``FatalError``: retrying the same request cannot help (other 4xx, bad data).
- ``AuthRevokedError``: the connection must be re-authorised by the user (needs_reconnect).
- ``NotConnected``: the tenant has no stored token pair (never connected, or revoked since).
- ``TokenKeyError``: the stored pairs cannot be encrypted or decrypted (TOKEN_ENCRYPTION_KEY).

None of them is an HTTP problem: a route turns them into one (sync_worker/problems.py), a
job decides by class whether to wait, retry or give up.

Messages never contain tokens and hold at most ``BODY_EXCERPT_CHARS`` of a response body.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

BODY_EXCERPT_CHARS = 200


@dataclass(frozen=True)
class FieldError:
    """One validation problem; ``field`` is None when Rompslomp did not name one."""

    field: str | None
    message: str


class RompslompError(Exception):
    """Base class: ``status`` is the HTTP status (None for transport failures), ``code`` the
    Rompslomp error type (``client.parameters.validation``) or OAuth error (``invalid_grant``)
    or a short local code (``timeout``)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r})"


class RetriableError(RompslompError):
    """Temporary failure; ``retry_after`` (seconds) is set when Rompslomp said how long."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class RateLimitedError(RetriableError):
    """HTTP 429; the tenant's budget is paused until ``retry_after`` has passed."""

    @property
    def pause(self) -> float:
        """Seconds before the next request: Rompslomp's Retry-After (DEFAULT_RETRY_AFTER
        when it gave none), at least one."""
        wait = self.retry_after if self.retry_after is not None else DEFAULT_RETRY_AFTER
        return max(1.0, wait)


class TenantPausedError(RateLimitedError):
    """Refused before sending: the tenant is paused by an earlier 429's Retry-After, or its
    pace (pacing.py) allows the next request only later than the caller may wait. Nothing
    went to Rompslomp, so it is not a new 429: it neither pauses nor slows the tenant
    again; the caller goes back to its queue (a job) or answers 503 (a person)."""


class AmbiguousOutcomeError(RetriableError):
    """A non-idempotent request was sent but its outcome is unknown (timeout, dropped
    connection, 5xx). Never retried automatically: the caller reconciles first (for invoices
    via ``search[api_reference]``)."""


class TokenPersistError(RetriableError):
    """The rotated token pair could not be stored; it is kept in memory and storing is
    retried before the new access token is ever used."""


class FatalError(RompslompError):
    """The request is wrong for Rompslomp; ``field_errors`` is filled for 422."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field_errors: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.field_errors = field_errors


class NotFoundError(FatalError):
    """HTTP 404: unknown id or endpoint."""


class AuthRevokedError(RompslompError):
    """The refresh token was refused, or a 401 persisted after a successful refresh."""


class NotConnected(RompslompError):
    """No stored token pair for the tenant: connect to Rompslomp first."""


class TokenKeyError(RompslompError):
    """TOKEN_ENCRYPTION_KEY is missing, invalid or not the key the pairs were stored with:
    an operator must fix the configuration (``code`` says which)."""


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of a body, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


# Retry-After is Rompslomp's word, not ours to trust blindly: one hour at most, and a value
# we cannot use ("inf", negative, garbage) counts as a modest default rather than "now".
MAX_RETRY_AFTER = 3600.0
DEFAULT_RETRY_AFTER = 30.0


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), clamped
    to ``MAX_RETRY_AFTER``; None when the header is absent."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, now)
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return DEFAULT_RETRY_AFTER
    return min(seconds, MAX_RETRY_AFTER)


def _seconds_until(value: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    # A date in the past means "now" (clocks differ), not garbage.
    return max(0.0, (when - current).total_seconds())


def _error_object(response: httpx.Response) -> tuple[str | None, str | None, object]:
    """(type, message, raw error object) from ``{"error": {"type", "message"}}``; tolerant of
    the RFC 6749 shape ``{"error": "...", "error_description": "..."}``."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None, None, None
    if not isinstance(body, dict):
        return None, None, None
    error = body.get("error")
    if isinstance(error, dict):
        kind = error.get("type")
        message = error.get("message")
        return (
            kind if isinstance(kind, str) else None,
            message if isinstance(message, str) else None,
            error,
        )
    if isinstance(error, str):
        description = body.get("error_description")
        return error, description if isinstance(description, str) else None, body
    return None, None, body


_INVALID_PREFIX = re.compile(r"^.{0,80}? is invalid:\s*", re.IGNORECASE)


def parse_field_errors(message: str | None, raw: object) -> tuple[FieldError, ...]:
    """Field errors from a 422 body.

    Rompslomp documents only a flat message (``"Factuur is invalid: Factuurdatum moet na
    01/01/1990 liggen."``, Rails full messages joined by ", "). A structured ``errors`` /
    ``details`` object (``{"field": ["msg", ...]}``), if ever present, is preferred.
    """
    if isinstance(raw, dict):
        for key in ("errors", "details", "fields"):
            structured = raw.get(key)
            if isinstance(structured, dict):
                found: list[FieldError] = []
                for field, messages in structured.items():
                    items = messages if isinstance(messages, list) else [messages]
                    found.extend(FieldError(str(field), str(item)) for item in items)
                if found:
                    return tuple(found)
            if isinstance(structured, list):
                found = []
                for item in structured:
                    if isinstance(item, dict):
                        field = item.get("field") or item.get("attribute")
                        text = item.get("message") or item.get("detail") or ""
                        found.append(FieldError(str(field) if field else None, str(text)))
                    else:
                        found.append(FieldError(None, str(item)))
                if found:
                    return tuple(found)
    if not message:
        return ()
    rest = _INVALID_PREFIX.sub("", message, count=1).strip()
    parts = [part.strip().rstrip(".") for part in rest.split(", ")]
    return tuple(FieldError(None, part) for part in parts if part)


def error_from_response(response: httpx.Response, *, idempotent: bool) -> RompslompError:
    """Classify a non-2xx API response (not the token endpoint)."""
    status = response.status_code
    kind, message, raw = _error_object(response)
    detail = message if message is not None else excerpt(response.text)
    method = response.request.method
    path = response.request.url.path
    text = excerpt(f"{method} {path} -> {status} {kind or ''}: {detail}".replace(" :", ":"))
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(
            text, status=status, code=kind or "client.rate_limit", retry_after=retry_after
        )
    if status >= 500:
        if not idempotent:
            return AmbiguousOutcomeError(text, status=status, code=kind or "server")
        return RetriableError(
            text,
            status=status,
            code=kind or "server",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status == 401:
        return AuthRevokedError(text, status=status, code=kind or "client.authentication")
    if status == 404:
        return NotFoundError(text, status=status, code=kind or "client.not_found")
    if status == 408:
        if not idempotent:
            return AmbiguousOutcomeError(text, status=status, code=kind or "timeout")
        return RetriableError(text, status=status, code=kind or "timeout")
    field_errors = parse_field_errors(message, raw) if status == 422 else ()
    return FatalError(text, status=status, code=kind or "client", field_errors=field_errors)


def error_from_token_response(response: httpx.Response) -> RompslompError:
    """Classify a refused refresh at ``/oauth/token``; never includes the request body."""
    status = response.status_code
    kind, message, _ = _error_object(response)
    text = excerpt(f"token refresh -> {status} {kind or ''}: {message or ''}")
    if status == 429:
        return RateLimitedError(
            text,
            status=status,
            code=kind or "client.rate_limit",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return RetriableError(text, status=status, code=kind or "server")
    if kind in {"invalid_grant", "invalid_client", "unauthorized_client"} or status == 401:
        return AuthRevokedError(text, status=status, code=kind or "invalid_client")
    return FatalError(text, status=status, code=kind or "invalid_request")
