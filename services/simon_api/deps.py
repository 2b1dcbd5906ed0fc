"""Request dependencies: one session per request, the caller's principal, role checks.

Every query is scoped by `principal.tenant_id` (DESIGN D6); nothing else decides the tenant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.simon_api.idempotency import TRANSACTION
from shared.auth import Principal, require_principal
from shared.problems import Forbidden
from shared.reader import Reader


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """GET requests read in autocommit (no BEGIN/ROLLBACK round trips: each read is one
    statement); every other request gets one transaction, committed by the endpoint.

    A request with an Idempotency-Key runs in the key's transaction (idempotency.py): the
    session joins it through a savepoint, so the endpoint's `commit()` releases the
    savepoint and the key's response commits together with the effect."""
    keyed: AsyncConnection | None = request.scope.get(TRANSACTION)
    if keyed is not None:
        async with AsyncSession(
            bind=keyed, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            yield session
        return
    maker = request.app.state.sessionmaker
    if request.method == "GET":
        maker = getattr(request.app.state, "read_sessionmaker", maker)
    async with maker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def reader_of(request: Request) -> Reader:
    """The hot-path reader in `app.state.reader` (a raw asyncpg pool; see shared/reader.py).
    A plain function, not a dependency: the list of work orders is the busiest endpoint and
    each dependency level costs there (bench/api_list.py). Tests put their own reader in
    `app.state.reader`."""
    reader: Reader = request.app.state.reader
    return reader


_bearer = HTTPBearer(auto_error=False, description="An API key from `simon tenant create`.")


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    key = credentials.credentials if credentials else None
    return await require_principal(reader_of(request), key)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_office(principal: PrincipalDep) -> Principal:
    if not principal.is_office:
        raise Forbidden("Only office employees may do this.", code="office_only")
    return principal


OfficeDep = Annotated[Principal, Depends(require_office)]
