"""simon_api: the work-order domain REST API (port 8000)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.simon_api import idempotency
from services.simon_api.api_keys.router import router as api_keys
from services.simon_api.article_groups.router import router as article_groups
from services.simon_api.articles.router import router as articles
from services.simon_api.customer_records.router import contact_persons, objects, work_addresses
from services.simon_api.customers.router import router as customers
from services.simon_api.employees.router import router as employees
from services.simon_api.form_templates.router import router as form_templates
from services.simon_api.forms.router import router as work_order_forms
from services.simon_api.settings import SimonApiSettings, get_settings
from services.simon_api.signatures.router import router as work_order_signature
from services.simon_api.work_order_pdf.router import router as work_order_pdf
from services.simon_api.work_orders.fast_list import WorkOrderListLane
from services.simon_api.work_orders.router import router as work_orders
from shared import health
from shared.body_limit import BodySizeLimit
from shared.db import create_engine, create_sessionmaker
from shared.embedded_postgres import resolve_database_url
from shared.logging import configure_logging
from shared.openapi import install_problem_openapi
from shared.problems import install_problem_handlers
from shared.reader import create_pool_reader

API_PREFIX = "/api/v1"
DESCRIPTION = """
The Simon work-order API: customers, articles, work addresses, contact persons, objects,
employees, form templates, and work orders with their time entries, materials, forms,
the customer's signature and the work-order PDF.

Authenticate with `Authorization: Bearer <api key>`; every key belongs to one employee of
one tenant. Errors are `application/problem+json` with a stable `code`; while the database
cannot be reached, requests answer 503 `database_unavailable` with `Retry-After: 1`.

Every POST and PATCH takes an `Idempotency-Key` header: a retry with the same key and
request gets the first response again instead of doing the work twice (kept 24 h).
While the Rompslomp integration is active, customers and articles are managed in Rompslomp
(`409 managed_by_rompslomp`).
"""


def create_app(settings: SimonApiSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.refuse_unsafe_production("simon_api")
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = resolve_database_url(settings.database_url, settings.data_dir)
        timeouts = {
            "connect_timeout": settings.db_connect_timeout,
            "statement_timeout": settings.db_statement_timeout,
        }
        engine = create_engine(url, pool_size=settings.db_pool_size, **timeouts)
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        app.state.reader = await create_pool_reader(url, size=settings.db_pool_size, **timeouts)
        app.state.engine = engine  # the Idempotency-Key transactions (idempotency.py)
        expiring = asyncio.create_task(idempotency.expire_keys(engine), name="expire-keys")
        try:
            yield
        finally:
            expiring.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expiring
            await app.state.reader.close()
            await engine.dispose()

    app = FastAPI(
        title="Simon API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    # Added before the problem handlers' error boundary, so they run inside it.
    app.add_middleware(idempotency.IdempotencyMiddleware)
    app.add_middleware(WorkOrderListLane, path=f"{API_PREFIX}/work-orders")
    install_problem_handlers(app)
    install_problem_openapi(app)
    app.add_middleware(BodySizeLimit)  # outermost: 413 before anything reads the body
    idempotency.document(app)
    app.include_router(health.router)
    # Work orders first: routes are matched in order and theirs are the busiest.
    for router in (
        work_orders,
        work_order_forms,
        work_order_signature,
        work_order_pdf,
        form_templates,
        employees,
        api_keys,
        customers,
        articles,
        article_groups,
        work_addresses,
        contact_persons,
        objects,
    ):
        app.include_router(router, prefix=API_PREFIX)
    return app
