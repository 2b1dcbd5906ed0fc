"""A tenant's Rompslomp connection: its encrypted token pair and a client bound to it.

`connected(...)` reads the pair in its own short transaction, yields a `RompslompClient`
that stores every rotated pair (encrypted, in its own transaction) before using it, and
turns Rompslomp's failures into problems: a refused refresh token sets the integration to
`needs_reconnect` and logs an error whose action says to connect again.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

import structlog
from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.deps import Rompslomp, SessionFactory
from services.sync_worker.integration.state import ensure_integration
from services.sync_worker.integration.tokens import decrypt, encrypt
from services.sync_worker.log import writer
from services.sync_worker.masterdata.runs import expect_simon_edits
from services.sync_worker.rompslomp import (
    AuthRevokedError,
    FatalError,
    RateLimitedError,
    RetriableError,
    RompslompClient,
    TokenSet,
)
from services.sync_worker.rompslomp.errors import DEFAULT_RETRY_AFTER
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel
from shared.models import RompslompConnection
from shared.problems import Conflict, DomainError, documented

log = structlog.get_logger("services.sync_worker.integration")


class RompslompUnavailable(DomainError):
    status = 502
    code = "rompslomp_unavailable"
    title = "Bad Gateway"


THROTTLED = documented(
    503,
    "`rompslomp_rate_limited`: Rompslomp asked to wait; the `Retry-After` header says how "
    "long (seconds)",
)


class RompslompThrottled(RompslompUnavailable):
    """Rompslomp asked the tenant to wait (429 Retry-After) longer than a caller may hold
    on: a person gets 503 with Retry-After at once, a job goes back to the queue."""

    status = 503
    code = "rompslomp_rate_limited"
    title = "Service Unavailable"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1.0, retry_after)
        seconds = str(math.ceil(self.retry_after))
        super().__init__(
            f"Rompslomp asked us to wait {seconds} s before the next request; try again then.",
            headers={"Retry-After": seconds},
        )


async def store_tokens(
    session: AsyncSession,
    tenant_id: int,
    tokens: TokenSet,
    cipher: Fernet,
    *,
    scope: str | None = None,
    connected_by: int | None = None,
) -> None:
    values = {
        "access_token_encrypted": encrypt(cipher, tokens.access_token),
        "refresh_token_encrypted": encrypt(cipher, tokens.refresh_token),
        "expires_at": tokens.expires_at,
    }
    changed: dict[str, object] = {**values, "updated_at": utcnow()}
    if scope is not None:
        changed["scope"] = scope
    if connected_by is not None:
        changed["connected_by"] = connected_by
    statement = insert(RompslompConnection).values(
        tenant_id=tenant_id, scope=scope, connected_by=connected_by, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["tenant_id"], set_=changed)
    )


async def load_tokens(
    session: AsyncSession, tenant_id: int, cipher: Fernet, *, for_update: bool = False
) -> TokenSet | None:
    statement = (
        select(RompslompConnection)
        .where(RompslompConnection.tenant_id == tenant_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        statement = statement.with_for_update()
    row = await session.scalar(statement)
    return tokens_of(row, cipher) if row is not None else None


def tokens_of(row: RompslompConnection, cipher: Fernet) -> TokenSet:
    """The stored pair, decrypted (a caller that read the row in its own query)."""
    return TokenSet(
        access_token=decrypt(cipher, row.access_token_encrypted),
        refresh_token=decrypt(cipher, row.refresh_token_encrypted),
        expires_at=row.expires_at,
    )


async def mark_needs_reconnect(session: AsyncSession, tenant_id: int) -> None:
    """Rompslomp refused our refresh token: the user must authorise again (R-SETUP-3)."""
    integration = await ensure_integration(session, tenant_id)
    integration.state = IntegrationState.NEEDS_RECONNECT
    integration.connected_at = None
    await expect_simon_edits(session, tenant_id)
    await session.execute(
        delete(RompslompConnection).where(RompslompConnection.tenant_id == tenant_id)
    )
    writer.write(
        session,
        tenant_id,
        level=LogLevel.ERROR,
        message=(
            "Rompslomp weigert de koppeling: de toegang is ingetrokken of verlopen. "
            "Simon haalt geen klanten en artikelen op en stuurt geen werkbonnen door."
        ),
        action=writer.RECONNECT,
        message_en=(
            "Rompslomp refuses the connection: access was revoked or has expired. Simon "
            "fetches no customers and articles and sends no work orders."
        ),
    )
    log.warning("integration.connection.revoked", tenant_id=tenant_id)


@asynccontextmanager
async def connected(
    rompslomp: Rompslomp,
    sessions: SessionFactory,
    tenant_id: int,
    *,
    stored: RompslompConnection | None = None,
) -> AsyncIterator[RompslompClient]:
    """A client on the tenant's tokens; raises 409 `not_connected` without a connection.
    `stored`: the connection row, when the caller read it already (a transaction fewer)."""
    cipher = rompslomp.cipher()
    if stored is not None:
        tokens: TokenSet | None = tokens_of(stored, cipher)
    else:
        async with sessions() as session:
            tokens = await load_tokens(session, tenant_id, cipher)
            await session.commit()
    if tokens is None:
        raise Conflict(
            "Simon is not connected to Rompslomp yet: connect first (POST /connect).",
            code="not_connected",
        )

    # The refresh runs under a row lock on the connection (D5), so two requests or replicas
    # never both spend the same refresh token: the guard locks the row and hands the stored
    # pair to the client (which adopts it when another process already rotated), the new
    # pair is written and committed in that same transaction, releasing the lock.
    guarded: ContextVar[AsyncSession | None] = ContextVar("guarded", default=None)

    @asynccontextmanager
    async def refresh_guard() -> AsyncIterator[TokenSet | None]:
        async with sessions() as session:
            stored = await load_tokens(session, tenant_id, cipher, for_update=True)
            marker = guarded.set(session)
            try:
                yield stored
            finally:
                guarded.reset(marker)
                await session.commit()

    async def persist(new: TokenSet) -> None:
        session = guarded.get()
        if session is not None:
            await store_tokens(session, tenant_id, new, cipher)
            await session.commit()
        else:
            async with sessions() as own:
                await store_tokens(own, tenant_id, new, cipher)
                await own.commit()
        log.info("integration.token.stored", tenant_id=tenant_id)

    settings = rompslomp.settings
    client = RompslompClient.connect(
        tokens=tokens,
        client_id=settings.rompslomp_client_id,
        client_secret=settings.rompslomp_client_secret,
        on_token_rotated=persist,
        refresh_guard=refresh_guard,
        api_url=settings.rompslomp_api_url,
        oauth_url=settings.oauth_url,
        budget=rompslomp.budgets.for_tenant(str(tenant_id)),
        retry=rompslomp.retry,
        http=rompslomp.http,
    )
    try:
        yield client
    except AuthRevokedError as exc:
        async with sessions() as session:
            await mark_needs_reconnect(session, tenant_id)
            await session.commit()
        raise Conflict(
            "Rompslomp refused our access (revoked or expired): connect to Rompslomp again.",
            code="needs_reconnect",
        ) from exc
    except RateLimitedError as exc:
        wait = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
        log.info("integration.rompslomp.throttled", tenant_id=tenant_id, retry_after=wait)
        raise RompslompThrottled(wait) from exc
    except RetriableError as exc:
        log.warning("integration.rompslomp.unavailable", tenant_id=tenant_id, code=exc.code)
        raise RompslompUnavailable(
            "Rompslomp is not reachable right now; try again in a moment."
        ) from exc
    except FatalError as exc:
        log.warning(
            "integration.rompslomp.refused", tenant_id=tenant_id, status=exc.status, code=exc.code
        )
        raise RompslompUnavailable(
            f"Rompslomp refused the request ({exc.status}, {exc.code}).",
            code="rompslomp_refused",
        ) from exc
    finally:
        await client.aclose()
