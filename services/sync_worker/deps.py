"""Request dependencies of the sync worker: sessions, the caller's principal, role checks,
and the process's Rompslomp resources (rompslomp/connection.py).

As in simon_api, every query is scoped by `principal.tenant_id` (DESIGN D6). Endpoints that
call Rompslomp end their transaction first and write afterwards in a new one (STYLE 1);
`SessionsDep` opens the short, separate transactions (e.g. storing a rotated token pair).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.rompslomp.connection import Rompslomp
from shared.auth import Principal, require_principal
from shared.db import SessionFactory
from shared.problems import Forbidden
from shared.reader import SessionReader

__all__ = [
    "OfficeDep",
    "PrincipalDep",
    "Rompslomp",
    "RompslompDep",
    "SessionDep",
    "SessionFactory",
    "SessionsDep",
]


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
