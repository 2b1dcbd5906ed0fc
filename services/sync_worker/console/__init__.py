"""The office console at `/console/`: the integration's screens in a browser.

Plain ES modules and CSS written here, served as static files by this process (no build
step, nothing from a CDN). Being on the same origin as `/api/v1/integration` it needs no
CORS, and it is a client of that public API only: the browser holds the office key in
sessionStorage and sends it as a bearer token, like any other frontend.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from services.sync_worker.settings import CONSOLE_PATH

STATIC = Path(__file__).parent / "static"

# Scripts, styles and API calls only from this origin: a key in sessionStorage is then
# out of reach of anything injected. `no-cache` makes a browser revalidate, so a new
# version of the console is picked up at the next load.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class ConsoleFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def mount(app: FastAPI) -> None:
    """Serve the console at `/console/`; the bare host opens it too."""
    app.mount(CONSOLE_PATH.rstrip("/"), ConsoleFiles(directory=STATIC, html=True), name="console")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(CONSOLE_PATH, status_code=307)
