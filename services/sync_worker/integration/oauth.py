"""OAuth 2.0 authorization code with PKCE S256 at Rompslomp (R-SETUP-3).

`state` is 256 random bits, stored only as its SHA-256, bound to the tenant (and the
employee who clicked "Koppel"), valid for 10 minutes and usable once: the callback claims it
with one conditional UPDATE, so two callbacks racing with the same state cannot both win.
The PKCE verifier is stored Fernet-encrypted and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import structlog
from cryptography.fernet import Fernet
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.rompslomp import TokenSet
from services.sync_worker.rompslomp.connection import Rompslomp
from services.sync_worker.rompslomp.tokens import decrypt, encrypt
from shared.clock import utcnow
from shared.models.integration_setup import OAuthState
from shared.problems import DomainError

log = structlog.get_logger("services.sync_worker.integration.oauth")

SCOPES = "public manage:contacts manage:sales_invoices manage:products"
STATE_TTL = timedelta(minutes=10)
STALE_STATES = timedelta(days=1)  # kept a while so a reused state is told apart from a forged one


class CallbackError(DomainError):
    """The OAuth callback failed; `message_nl` is what the user reads on the page."""

    status = 400
    code = "oauth_failed"

    def __init__(self, detail: str, *, code: str, message_nl: str, status: int = 400) -> None:
        super().__init__(detail, code=code, status=status)
        self.message_nl = message_nl


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


async def start_authorization(
    session: AsyncSession,
    tenant_id: int,
    employee_id: int,
    rompslomp: Rompslomp,
    cipher: Fernet,
) -> str:
    """Store a pending authorisation and return the URL to send the browser to."""
    # Spent and stale authorisations of this tenant are of no use any more.
    await session.execute(
        delete(OAuthState).where(
            OAuthState.tenant_id == tenant_id,
            OAuthState.created_at < utcnow() - STALE_STATES,
        )
    )
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43…128
    session.add(
        OAuthState(
            tenant_id=tenant_id,
            employee_id=employee_id,
            state_hash=state_hash(state),
            code_verifier_encrypted=encrypt(cipher, verifier),
        )
    )
    await session.flush()
    settings = rompslomp.settings
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.rompslomp_client_id,
            "redirect_uri": settings.rompslomp_redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{settings.oauth_url.rstrip('/')}/oauth/authorize?{query}"


@dataclass(frozen=True)
class ClaimedState:
    tenant_id: int
    employee_id: int | None
    code_verifier: str


_CLAIM = text(
    "UPDATE oauth_states SET used_at = now() "
    "WHERE state_hash = :hash AND used_at IS NULL "
    "AND created_at > now() - make_interval(secs => :ttl) "
    "RETURNING tenant_id, employee_id, code_verifier_encrypted"
)


async def claim_state(session: AsyncSession, state: str, cipher: Fernet) -> ClaimedState:
    """Mark the state used (once, within its lifetime) or say why it cannot be used."""
    digest = state_hash(state)
    row = (
        await session.execute(_CLAIM, {"hash": digest, "ttl": STATE_TTL.total_seconds()})
    ).first()
    if row is not None:
        return ClaimedState(row[0], row[1], decrypt(cipher, row[2]))
    known = await session.scalar(select(OAuthState).where(OAuthState.state_hash == digest))
    if known is None:
        log.warning("integration.oauth.state_unknown")
        raise CallbackError(
            "The state parameter is unknown: this callback was not started by Simon.",
            code="invalid_state",
            message_nl=(
                "Deze koppeling is niet vanuit Simon gestart. Start het koppelen opnieuw "
                "vanuit Simon met de knop Koppel."
            ),
        )
    if known.used_at is not None:
        log.warning("integration.oauth.state_reused", tenant_id=known.tenant_id)
        raise CallbackError(
            "The state parameter has already been used.",
            code="state_used",
            message_nl=(
                "Deze koppellink is al gebruikt. Start het koppelen opnieuw vanuit Simon met "
                "de knop Koppel."
            ),
        )
    log.warning("integration.oauth.state_expired", tenant_id=known.tenant_id)
    raise CallbackError(
        "The state parameter has expired (10 minutes).",
        code="state_expired",
        message_nl=(
            "Het koppelen duurde langer dan 10 minuten en is verlopen. Start het koppelen "
            "opnieuw vanuit Simon met de knop Koppel."
        ),
    )


@dataclass(frozen=True)
class Grant:
    tokens: TokenSet
    scope: str | None


async def exchange_code(rompslomp: Rompslomp, code: str, verifier: str) -> Grant:
    """Trade the authorization code for a token pair; the body is never logged."""
    settings = rompslomp.settings
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": settings.rompslomp_redirect_uri,
        "code_verifier": verifier,
        "client_id": settings.rompslomp_client_id,
        "client_secret": settings.rompslomp_client_secret.get_secret_value(),
    }
    started = utcnow()
    token_url = settings.oauth_url.rstrip("/") + "/oauth/token"
    failed = CallbackError(
        "Rompslomp did not accept the authorization code.",
        code="code_exchange_failed",
        message_nl=(
            "Rompslomp heeft de koppeling niet bevestigd. Start het koppelen opnieuw vanuit "
            "Simon met de knop Koppel."
        ),
        status=502,
    )
    try:
        response = await rompslomp.http.post(token_url, data=form)
    except httpx.TransportError as exc:
        log.warning("integration.oauth.exchange_failed", error=type(exc).__name__)
        raise failed from exc
    if response.status_code != 200:
        error = _oauth_error(response)
        log.warning("integration.oauth.exchange_refused", status=response.status_code, error=error)
        raise failed
    try:
        body = response.json()
        access, refresh = body["access_token"], body["refresh_token"]
        expires_in = float(body.get("expires_in", 7200))
        scope = body.get("scope")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("integration.oauth.exchange_unreadable")
        raise failed from exc
    if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
        raise failed
    tokens = TokenSet(access, refresh, started + timedelta(seconds=expires_in))
    return Grant(tokens, scope if isinstance(scope, str) else None)


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None
