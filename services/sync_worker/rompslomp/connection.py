"""A tenant's Rompslomp connection: its encrypted token pair and a client bound to it.

`connected(...)` reads the pair in its own short transaction and yields a `RompslompClient`
that stores every rotated pair (encrypted, in its own transaction) before using it; the
refresh runs under a row lock on the stored pair (D5). What goes wrong is one of
Rompslomp's errors (errors.py), never an HTTP problem: a route turns it into one
(sync_worker/problems.py), a job decides by its class. A refused refresh token hands the
tenant to `Rompslomp.on_revoked` (main.py gives the integration's `mark_needs_reconnect`,
which forgets the pair and tells the office) before the error goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpx
import structlog
from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.db import SessionFactory
from shared.models.integration_setup import RompslompConnection

from .auth import TokenSet
from .budget import BudgetRegistry
from .client import RetryPolicy, RompslompClient
from .errors import (
    DEFAULT_RETRY_AFTER,
    AuthRevokedError,
    FatalError,
    NotConnected,
    RateLimitedError,
    RetriableError,
)
from .tokens import cipher_for, decrypt, encrypt

log = structlog.get_logger("services.sync_worker.integration")

# A person waits on these calls: give up quickly rather than back off for minutes.
INTERACTIVE_RETRY = RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, max_retry_after=5.0)

# What a refused refresh token means beyond the connection, in the transaction it is
# recorded in (the caller commits): the integration needs a reconnect.
Revoked = Callable[[AsyncSession, int], Awaitable[None]]


@dataclass(kw_only=True)
class Rompslomp:
    """What talking to Rompslomp needs, one per process: the long-lived HTTP client, the
    per-tenant request budgets, the settings (URLs, OAuth client, token key) and what a
    refused refresh token sets off (`on_revoked`, which must `forget_tokens`)."""

    http: httpx.AsyncClient
    budgets: BudgetRegistry
    settings: SyncWorkerSettings
    on_revoked: Revoked
    retry: RetryPolicy = INTERACTIVE_RETRY

    def cipher(self) -> Fernet:
        return cipher_for(self.settings.token_encryption_key)


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


async def forget_tokens(session: AsyncSession, tenant_id: int) -> None:
    """Rompslomp refused the pair: it is of no use any more."""
    await session.execute(
        delete(RompslompConnection).where(RompslompConnection.tenant_id == tenant_id)
    )


@asynccontextmanager
async def connected(
    rompslomp: Rompslomp,
    sessions: SessionFactory,
    tenant_id: int,
    *,
    stored: RompslompConnection | None = None,
) -> AsyncIterator[RompslompClient]:
    """A client on the tenant's tokens; raises `NotConnected` without a stored pair.
    `stored`: the connection row, when the caller read it already (a transaction fewer)."""
    cipher = rompslomp.cipher()
    if stored is not None:
        tokens: TokenSet | None = tokens_of(stored, cipher)
    else:
        async with sessions() as session:
            tokens = await load_tokens(session, tenant_id, cipher)
            await session.commit()
    if tokens is None:
        raise NotConnected(f"no stored Rompslomp tokens for tenant {tenant_id}")

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
    except AuthRevokedError:
        async with sessions() as session:
            await rompslomp.on_revoked(session, tenant_id)
            await session.commit()
        raise
    except RateLimitedError as exc:
        wait = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
        log.info("integration.rompslomp.throttled", tenant_id=tenant_id, retry_after=wait)
        raise
    except RetriableError as exc:
        log.warning("integration.rompslomp.unavailable", tenant_id=tenant_id, code=exc.code)
        raise
    except FatalError as exc:
        log.warning(
            "integration.rompslomp.refused", tenant_id=tenant_id, status=exc.status, code=exc.code
        )
        raise
    finally:
        await client.aclose()
