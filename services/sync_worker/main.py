"""sync_worker (port 8100): everything that talks to Rompslomp.

`/health`, `/ready`, `/metrics`, the integration endpoints (`/api/v1/integration`: the
activation wizard, OAuth callback, settings, status, (de)activation, sync, exports, log)
and the office console at `/console/` (static files, a client of those endpoints).
Beside the API the process runs the job worker and the outbox relay (jobs/worker.py, each
supervised and restarted after a database outage) unless `RUN_JOBS=false`; several such
processes can run side by side. `/ready` answers 503 while the database or one of those
parts is down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from services.sync_worker import console
from services.sync_worker.export.claim import WARM_UP as EXPORT_WARM_UP
from services.sync_worker.export.routes import router as export_router
from services.sync_worker.integration.callback import router as callback_router
from services.sync_worker.integration.product_search import router as product_search_router
from services.sync_worker.integration.router import router as integration_router
from services.sync_worker.integration.state import mark_needs_reconnect
from services.sync_worker.jobs.runtime import BACKGROUND_RETRY, Runtime
from services.sync_worker.jobs.worker import JobEngine
from services.sync_worker.log.routes import router as log_router
from services.sync_worker.metrics import (
    EXPORTS_BY_STATUS,
    JOBS_WORKER_UP,
    OUTBOX_OLDEST_UNRELAYED_SECONDS,
    OUTBOX_RELAY_UP,
    OUTBOX_UNRELAYED,
    REGISTRY,
    count_response,
)
from services.sync_worker.rompslomp import BudgetRegistry
from services.sync_worker.rompslomp.client import DEFAULT_TIMEOUT, USER_AGENT
from services.sync_worker.rompslomp.connection import Rompslomp
from services.sync_worker.rompslomp.pacing import pacing_for
from services.sync_worker.rompslomp.transport import http_client
from services.sync_worker.settings import SyncWorkerSettings, get_settings
from shared import health
from shared.body_limit import BodySizeLimit
from shared.db import create_engine, create_sessionmaker, warm_up
from shared.embedded_postgres import resolve_database_url
from shared.export_status import ExportStatus
from shared.logging import configure_logging
from shared.openapi import install_problem_openapi
from shared.outage import database_unavailable
from shared.problems import install_problem_handlers

_UNRELAYED = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
    "FROM outbox_events WHERE processed_at IS NULL"
)


def create_app(settings: SyncWorkerSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.refuse_unsafe_production("sync_worker")
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = resolve_database_url(settings.database_url, settings.data_dir)
        engine = create_engine(
            url,
            pool_size=settings.db_pool_size,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
        )
        app.state.sessionmaker = create_sessionmaker(engine)
        # The pool's connections opened, and the export's reads compiled and prepared on
        # each, before the first job: its first exports are as fast as the rest.
        await warm_up(app.state.sessionmaker, settings.db_pool_size, EXPORT_WARM_UP)
        if settings.token_encryption_key is None:
            structlog.get_logger("services.sync_worker").warning(
                "sync_worker.start.token_key_missing",
                detail="TOKEN_ENCRYPTION_KEY is unset: connecting to Rompslomp will fail",
            )
        # One long-lived HTTP client for every tenant's Rompslomp traffic (STYLE: httpx).
        http = http_client(
            max_connections=50,
            max_keepalive_connections=20,
            timeout=DEFAULT_TIMEOUT,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            event_hooks={"response": [count_response]},
        )
        pacing = pacing_for(engine, rate=settings.rompslomp_max_rps, burst=settings.rompslomp_burst)
        budgets = BudgetRegistry(pacing=pacing)
        app.state.rompslomp = Rompslomp(
            http=http, budgets=budgets, settings=settings, on_revoked=mark_needs_reconnect
        )
        jobs: asyncio.Task[None] | None = None
        JOBS_WORKER_UP.set(0)
        OUTBOX_RELAY_UP.set(0)
        if settings.run_jobs:
            runtime = Runtime(
                sessions=app.state.sessionmaker,
                rompslomp=Rompslomp(
                    http=http,
                    budgets=budgets,
                    settings=settings,
                    on_revoked=mark_needs_reconnect,
                    retry=BACKGROUND_RETRY,
                ),
                settings=settings,
            )
            engine_of_jobs = JobEngine(url, runtime, concurrency=settings.job_concurrency)
            # /ready answers 503 while a part that should run here is down.
            app.state.ready_parts = engine_of_jobs.down
            jobs = asyncio.create_task(engine_of_jobs.run(), name="jobs")
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
    install_problem_openapi(app)
    app.add_middleware(BodySizeLimit)  # outermost: 413 before anything reads the body
    app.include_router(integration_router)
    app.include_router(product_search_router)
    app.include_router(callback_router)
    app.include_router(log_router)
    app.include_router(export_router)
    app.include_router(health.router)
    console.mount(app)

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def metrics(request: Request) -> Response:
        """Prometheus text: this process's counters and job-engine state, plus export rows
        by status and the unrelayed outbox, read from the database (left at their last
        values while it cannot be reached, so the process's own figures still show)."""
        try:
            async with request.app.state.sessionmaker() as session:
                rows = await session.execute(
                    text("SELECT status, count(*) FROM invoice_exports GROUP BY status")
                )
                counts = {str(status): int(count) for status, count in rows}
                unrelayed, oldest = (await session.execute(_UNRELAYED)).one()
        except Exception as exc:
            if not database_unavailable(exc):
                raise
        else:
            for status in ExportStatus:
                EXPORTS_BY_STATUS.labels(status=status).set(counts.get(status, 0))
            OUTBOX_UNRELAYED.set(int(unrelayed))
            OUTBOX_OLDEST_UNRELAYED_SECONDS.set(float(oldest))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app
