"""Request dependencies of the sync worker: sessions, the caller's principal, role checks,
and the process's Rompslomp resources.

As in simon_api, every query is scoped by `principal.tenant_id` (DESIGN D6). Endpoints that
call Rompslomp end their transaction first and write afterwards in a new one (STYLE 1);
`SessionsDep` opens the short, separate transactions (e.g. storing a rotated token pair).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated

import httpx
from cryptography.fernet import Fernet
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.integration.tokens import cipher_for
from services.sync_worker.rompslomp import BudgetRegistry, RetryPolicy
from services.sync_worker.settings import SyncWorkerSettings
from shared.auth import Principal, require_principal
from shared.problems import Forbidden
from shared.reader import SessionReader

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]

# A person waits on these calls: give up quickly rather than back off for minutes.
INTERACTIVE_RETRY = RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, max_retry_after=5.0)


@dataclass
class Rompslomp:
    """What talking to Rompslomp needs, one per process: the long-lived HTTP client, the
    per-tenant request budgets and the settings (URLs, OAuth client, token key)."""

    http: httpx.AsyncClient
    budgets: BudgetRegistry
    settings: SyncWorkerSettings
    retry: RetryPolicy = INTERACTIVE_RETRY

    def cipher(self) -> Fernet:
        return cipher_for(self.settings.token_encryption_key)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_sessions(request: Request) -> SessionFactory:
    factory: SessionFactory = request.app.state.sessionmaker
    return factory


SessionsDep = Annotated[SessionFactory, Depends(get_sessions)]


async def get_rompslomp(request: Request) -> Rompslomp:
    rompslomp: Rompslomp = request.app.state.rompslomp
    return rompslomp


RompslompDep = Annotated[Rompslomp, Depends(get_rompslomp)]

_bearer = HTTPBearer(auto_error=False, description="An API key from `simon tenant create`.")


async def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    key = credentials.credentials if credentials else None
    try:
        return await require_principal(SessionReader(session), key)
    finally:
        # End the read transaction: endpoints may call Rompslomp next (STYLE 1).
        await session.commit()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_office(principal: PrincipalDep) -> Principal:
    if not principal.is_office:
        raise Forbidden("Only office employees may manage the integration.", code="office_only")
    return principal


OfficeDep = Annotated[Principal, Depends(require_office)]
