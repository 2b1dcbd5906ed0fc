"""`/health` (the process is up: a liveness probe, it never touches the database) and
`/ready` (this process can do its work: the database answers, and every part the service
registered in `app.state.ready_parts` runs), for every service.

`/ready` reads `app.state.sessionmaker`, which each service sets in its lifespan, and the
optional `app.state.ready_parts`: a callable returning the names of the parts that are down
(sync_worker's job worker and outbox relay when RUN_JOBS=true).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.problems import Problem, problem_response

router = APIRouter(tags=["health"])

# A readiness probe must answer within its own timeout even when the database hangs.
DATABASE_CHECK_SECONDS = 2.0

DownParts = Callable[[], list[str]]


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def _database_answers(request: Request) -> bool:
    try:
        async with request.app.state.sessionmaker() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), DATABASE_CHECK_SECONDS)
    except Exception:  # any failure to reach the database means "not ready"
        return False
    return True


@router.get(
    "/ready",
    responses={
        503: {
            "model": Problem,
            "description": "`not_ready`: `down` names what is not working (`database`, "
            "`job_worker`, `outbox_relay`)",
        }
    },
)
async def ready(request: Request) -> JSONResponse:
    down = [] if await _database_answers(request) else ["database"]
    parts: DownParts | None = getattr(request.app.state, "ready_parts", None)
    if parts is not None:
        down += parts()
    if not down:
        return JSONResponse({"status": "ok"})
    return problem_response(
        503,
        "not_ready",
        "Not ready: " + ", ".join(down) + " down.",
        extensions={"down": down},
    )
