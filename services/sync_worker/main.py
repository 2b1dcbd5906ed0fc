"""sync_worker (port 8100): everything that talks to Rompslomp.

`/health`, `/ready` and the integration endpoints (`/api/v1/integration`: the activation
wizard, OAuth callback, settings, status, (de)activation, log). The job workers and
`/metrics` arrive with their issues.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.sync_worker.deps import Rompslomp
from services.sync_worker.integration.callback import router as callback_router
from services.sync_worker.integration.router import router as integration_router
from services.sync_worker.log.routes import router as log_router
from services.sync_worker.rompslomp import BudgetRegistry
from services.sync_worker.rompslomp.client import DEFAULT_TIMEOUT, USER_AGENT
from services.sync_worker.settings import SyncWorkerSettings, get_settings
from shared.db import create_engine, create_sessionmaker
from shared.embedded_postgres import resolve_database_url
from shared.logging import configure_logging
from shared.problems import install_problem_handlers


def create_app(settings: SyncWorkerSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = resolve_database_url(settings.database_url, settings.data_dir)
        engine = create_engine(url, pool_size=settings.db_pool_size)
        app.state.sessionmaker = create_sessionmaker(engine)
        if settings.token_encryption_key is None:
            structlog.get_logger("services.sync_worker").warning(
                "sync_worker.start.token_key_missing",
                detail="TOKEN_ENCRYPTION_KEY is unset: connecting to Rompslomp will fail",
            )
        # One long-lived HTTP client for every tenant's Rompslomp traffic (STYLE: httpx).
        http = httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )
        app.state.rompslomp = Rompslomp(http=http, budgets=BudgetRegistry(), settings=settings)
        try:
            yield
        finally:
            await http.aclose()
            await engine.dispose()

    app = FastAPI(title="Simon sync worker", version="1.0.0", lifespan=lifespan)
    install_problem_handlers(app)
    app.include_router(integration_router)
    app.include_router(callback_router)
    app.include_router(log_router)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", tags=["health"])
    async def ready(request: Request) -> JSONResponse:
        try:
            async with request.app.state.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not ready"
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
