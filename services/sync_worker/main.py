"""sync_worker (port 8100): everything that talks to Rompslomp.

`/health`, `/ready`, `/metrics` and the integration endpoints (`/api/v1/integration`: the
activation wizard, OAuth callback, settings, status, (de)activation, sync, exports, log).
Beside the API the process runs the job worker and the outbox relay (jobs/worker.py) unless
`RUN_JOBS=false`; several such processes can run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from services.sync_worker.deps import Rompslomp
from services.sync_worker.export.routes import router as export_router
from services.sync_worker.integration.callback import router as callback_router
from services.sync_worker.integration.router import router as integration_router
from services.sync_worker.jobs import worker
from services.sync_worker.jobs.runtime import BACKGROUND_RETRY, Runtime
from services.sync_worker.log.routes import router as log_router
from services.sync_worker.metrics import EXPORTS_BY_STATUS, REGISTRY, count_response
from services.sync_worker.rompslomp import BudgetRegistry
from services.sync_worker.rompslomp.client import DEFAULT_TIMEOUT, USER_AGENT
from services.sync_worker.rompslomp.pacing import pacing_for
from services.sync_worker.settings import SyncWorkerSettings, get_settings
from shared import health
from shared.db import create_engine, create_sessionmaker
from shared.embedded_postgres import resolve_database_url
from shared.logging import configure_logging
from shared.models.integration import EXPORT_STATUSES
from shared.problems import install_problem_handlers


def _report_jobs_end(task: asyncio.Task[None]) -> None:
    """A job worker that dies must say so at once (the API keeps answering without it)."""
    if not task.cancelled() and task.exception() is not None:
        structlog.get_logger("services.sync_worker").error(
            "jobs.worker.crashed", error=repr(task.exception())
        )


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
            event_hooks={"response": [count_response]},
        )
        pacing = pacing_for(engine, rate=settings.rompslomp_max_rps, burst=settings.rompslomp_burst)
        budgets = BudgetRegistry(pacing=pacing)
        app.state.rompslomp = Rompslomp(http=http, budgets=budgets, settings=settings)
        jobs: asyncio.Task[None] | None = None
        if settings.run_jobs:
            runtime = Runtime(
                sessions=app.state.sessionmaker,
                rompslomp=Rompslomp(
                    http=http, budgets=budgets, settings=settings, retry=BACKGROUND_RETRY
                ),
                settings=settings,
            )
            jobs = asyncio.create_task(
                worker.run(url, runtime, concurrency=settings.job_concurrency), name="jobs"
            )
            jobs.add_done_callback(_report_jobs_end)
        try:
            yield
        finally:
            if jobs is not None:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            await http.aclose()
            if pacing is not None:
                await pacing.aclose()
            await engine.dispose()

    app = FastAPI(title="Simon sync worker", version="1.0.0", lifespan=lifespan)
    install_problem_handlers(app)
    app.include_router(integration_router)
    app.include_router(callback_router)
    app.include_router(log_router)
    app.include_router(export_router)
    app.include_router(health.router)

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def metrics(request: Request) -> Response:
        """Prometheus text: this process's counters plus export rows by status."""
        async with request.app.state.sessionmaker() as session:
            rows = await session.execute(
                text("SELECT status, count(*) FROM invoice_exports GROUP BY status")
            )
            counts = {str(status): int(count) for status, count in rows}
        for status in EXPORT_STATUSES:
            EXPORTS_BY_STATUS.labels(status=status).set(counts.get(status, 0))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app
