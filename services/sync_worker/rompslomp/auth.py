"""OAuth bearer auth for Rompslomp as an ``httpx.Auth`` flow, with rotating refresh tokens.

Rules (DESIGN D5):
- refresh ahead of expiry (``refresh_margin``) and once on a 401, then retry that request once;
- refreshes are serialised per connection by an ``asyncio.Lock``: concurrent 401s or
  concurrent expiries cause one call to ``/oauth/token``; the waiters reuse its result;
- the rotated pair is handed to ``on_token_rotated`` and that await must succeed before the
  new access token is used. If storing fails the pair is kept in memory and storing is
  retried first thing on the next request; the old refresh token is never sent again;
- the refresh runs shielded from cancellation, so a cancelled caller cannot lose a pair
  that Rompslomp has already rotated;
- an optional ``refresh_guard`` (e.g. a DB row lock on the connection) spans the refresh
  across processes and yields the stored pair, so a pair rotated by another replica is
  adopted instead of burning its refresh token;
- tokens never appear in logs, reprs or exception messages.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import structlog
from pydantic import SecretStr

from .errors import (
    AuthRevokedError,
    RetriableError,
    TokenPersistError,
    error_from_token_response,
)

log = structlog.get_logger("services.sync_worker.rompslomp.auth")

DEFAULT_REFRESH_MARGIN = timedelta(seconds=300)
DEFAULT_EXPIRES_IN = 7200
_NO_AUTH = httpx.Auth()  # the token endpoint authenticates by client id/secret in the form


def utc_now() -> datetime:
    return datetime.now(UTC)


def token_url_for(oauth_url: str) -> str:
    """The token endpoint under an OAuth host: ``{oauth_url}/oauth/token``."""
    return oauth_url.rstrip("/") + "/oauth/token"


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime

    def expires_within(self, margin: timedelta, *, now: datetime) -> bool:
        return now + margin >= self.expires_at


TokenRotatedCallback = Callable[[TokenSet], Awaitable[None]]
RefreshGuard = Callable[[], AbstractAsyncContextManager[TokenSet | None]]


class RompslompAuth(httpx.Auth):
    """Bearer auth for one Rompslomp connection (one tenant's token pair)."""

    requires_response_body = True

    def __init__(
        self,
        tokens: TokenSet,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr | str,
        on_token_rotated: TokenRotatedCallback,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
        refresh_guard: RefreshGuard | None = None,
        now: Callable[[], datetime] = utc_now,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._tokens = tokens
        self._pending: TokenSet | None = None
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = (
            client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        )
        self._on_token_rotated = on_token_rotated
        self._refresh_margin = refresh_margin
        self._refresh_guard = refresh_guard
        self._now = now
        self._http = http
        self._lock = asyncio.Lock()
        self._refresh_task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"RompslompAuth(token_url={self._token_url!r}, expires_at={self.expires_at!r})"

    def bind(self, http: httpx.AsyncClient) -> None:
        """Use ``http`` (the client's long-lived AsyncClient) for token requests."""
        self._http = http

    @property
    def expires_at(self) -> datetime:
        return self._tokens.expires_at

    # -- the httpx flow ---------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("RompslompAuth only supports httpx.AsyncClient")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = await self.current_tokens()
        _authorize(request, tokens)
        response = yield request
        if response.status_code != 401:
            return
        log.info("rompslomp.auth.unauthorized", method=request.method, path=request.url.path)
        tokens = await self.refresh_after_unauthorized(tokens)
        _authorize(request, tokens)
        # Exactly one retry; a second 401 is classified by the client as auth revoked.
        yield request

    # -- token management -------------------------------------------------------------

    async def current_tokens(self) -> TokenSet:
        """A pair safe to use now: stored, and not within ``refresh_margin`` of expiry."""
        if self._pending is None and not self._expiring(self._tokens):
            return self._tokens
        async with self._lock:
            await self._persist_pending()
            if self._expiring(self._tokens):
                await self._run_refresh(stale=self._tokens, reason="expiring")
            return self._tokens

    async def refresh_after_unauthorized(self, stale: TokenSet) -> TokenSet:
        """Refresh because ``stale`` got a 401, unless another request already did."""
        async with self._lock:
            await self._persist_pending()
            if self._tokens.access_token == stale.access_token:
                await self._run_refresh(stale=stale, reason="unauthorized")
            return self._tokens

    def _expiring(self, tokens: TokenSet) -> bool:
        return tokens.expires_within(self._refresh_margin, now=self._now())

    async def _run_refresh(self, *, stale: TokenSet, reason: str) -> None:
        # Called with the lock held. The refresh is a separate shielded task: if our caller
        # is cancelled the rotation still completes (and is stored), and the next holder of
        # the lock joins the same task rather than sending the old refresh token again.
        task = self._refresh_task
        if task is None or task.done():
            task = asyncio.ensure_future(self._refresh_and_store(stale=stale, reason=reason))
            task.add_done_callback(_consume_exception)
            self._refresh_task = task
        await asyncio.shield(task)

    async def _refresh_and_store(self, *, stale: TokenSet, reason: str) -> None:
        if self._refresh_guard is None:
            await self._refresh(reason)
            return
        async with self._refresh_guard() as stored:
            if stored is not None and stored.refresh_token != self._tokens.refresh_token:
                # Another process rotated the pair; its refresh token is the live one.
                self._tokens = stored
                if stored.access_token != stale.access_token and not self._expiring(stored):
                    log.info("rompslomp.token.adopted", reason=reason)
                    return
            await self._refresh(reason)

    async def _refresh(self, reason: str) -> None:
        started = self._now()
        new = await self._request_new_pair(started)
        self._pending = new
        await self._persist_pending()
        log.info("rompslomp.token.rotated", reason=reason, expires_at=new.expires_at.isoformat())

    async def _request_new_pair(self, started: datetime) -> TokenSet:
        http = self._http
        if http is None:
            raise RuntimeError("RompslompAuth is not bound to an httpx.AsyncClient")
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "grant_type": "refresh_token",
            "refresh_token": self._tokens.refresh_token,
        }
        try:
            response = await http.post(self._token_url, data=form, auth=_NO_AUTH)
        except httpx.TransportError as exc:
            log.warning("rompslomp.token.refresh_failed", error=type(exc).__name__)
            raise RetriableError(
                f"token refresh failed: {type(exc).__name__}", code="token_transport"
            ) from exc
        if response.status_code != 200:
            error = error_from_token_response(response)
            log.warning(
                "rompslomp.token.refresh_refused",
                status=response.status_code,
                code=error.code,
                revoked=isinstance(error, AuthRevokedError),
            )
            raise error
        return _parse_token_response(response, started, previous=self._tokens)

    async def _persist_pending(self) -> None:
        pending = self._pending
        if pending is None:
            return
        try:
            await self._on_token_rotated(pending)
        except Exception as exc:
            log.error("rompslomp.token.persist_failed", error=type(exc).__name__)
            raise TokenPersistError(
                f"storing the rotated token pair failed: {type(exc).__name__}",
                code="token_persist",
            ) from exc
        self._tokens = pending
        self._pending = None


def _authorize(request: httpx.Request, tokens: TokenSet) -> None:
    request.headers["Authorization"] = f"Bearer {tokens.access_token}"


def _consume_exception(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


def _parse_token_response(
    response: httpx.Response, started: datetime, *, previous: TokenSet
) -> TokenSet:
    # The body holds secrets: never put any of it into an error message.
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise RetriableError("token response is not JSON", status=200, code="token_body") from exc
    if not isinstance(body, dict):
        raise RetriableError("token response is not an object", status=200, code="token_body")
    access = body.get("access_token")
    refresh = body.get("refresh_token", previous.refresh_token)
    expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
        raise RetriableError("token response lacks tokens", status=200, code="token_body")
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        expires_in = DEFAULT_EXPIRES_IN
    # Count from when we asked, not from when the answer arrived: errs on the early side.
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=started + timedelta(seconds=float(expires_in)),
    )


__all__ = [
    "DEFAULT_REFRESH_MARGIN",
    "RefreshGuard",
    "RompslompAuth",
    "TokenRotatedCallback",
    "TokenSet",
    "token_url_for",
    "utc_now",
]
