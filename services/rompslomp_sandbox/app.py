"""The Rompslomp sandbox: ``uvicorn --factory services.rompslomp_sandbox.app:create_app``."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import control, masterdata_faults, oauth
from .errors import ApiError, api_error_handler, http_error_handler
from .faults import FaultMiddleware, Faults
from .resources import companies, contacts, products, sales_invoices, vat_types
from .seed import seed_demo
from .settings import SandboxSettings, get_settings
from .state import SandboxState


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Rompslomp sandbox",
        description="A local in-memory stand-in for api.rompslomp.nl",
        docs_url="/_sandbox/docs",
        redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    state = SandboxState()
    faults = Faults()
    app.state.settings = settings
    app.state.sandbox = state
    app.state.faults = faults
    app.state.masterdata_faults = masterdata_faults.MasterDataFaults()
    if settings.seed_demo:
        seed_demo(state)

    app.add_middleware(FaultMiddleware, faults=faults)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    for module in (companies, contacts, products, vat_types, sales_invoices):
        app.include_router(module.router)
    app.include_router(oauth.router)
    app.include_router(control.router)
    app.include_router(masterdata_faults.router)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
