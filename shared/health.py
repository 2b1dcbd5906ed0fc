"""`/health` (the process is up) and `/ready` (the database answers), for every service.

Both read `app.state.sessionmaker`, which each service sets in its lifespan.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "The database does not answer"}})
async def ready(request: Request) -> JSONResponse:
    try:
        async with request.app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
