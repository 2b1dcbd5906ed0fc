"""sync_worker (port 8100): everything that talks to Rompslomp.

For now the process skeleton: `/health` and `/ready`. The integration endpoints, the job
workers and `/metrics` arrive with their issues.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

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
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Simon sync worker", version="1.0.0", lifespan=lifespan)
    install_problem_handlers(app)

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
