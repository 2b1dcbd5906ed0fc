"""RFC 9457 problem+json errors with a stable machine `code` (DESIGN D7).

Domain code raises `DomainError` (or one of its named subclasses); one set of handlers
renders those, FastAPI's validation errors (422 with field errors) and plain HTTP errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.outage import OutageLog, database_unavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("problems")


class FieldProblem(BaseModel):
    field: str = Field(examples=["minutes"])
    message: str = Field(examples=["Input should be greater than 0"])


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["The request has invalid fields."])
    code: str = Field(examples=["validation_error"])
    errors: list[FieldProblem] | None = None


class DomainError(Exception):
    """An expected failure with an HTTP status and a stable code."""

    status = 400
    code = "bad_request"
    title = "Bad Request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: Sequence[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.errors = list(errors) if errors else None
        self.headers = headers  # e.g. Retry-After on a 503


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not Found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Unauthorized"


class InvalidInput(DomainError):
    """422 for one field whose value is well-formed but not acceptable (e.g. an unknown id)."""

    status = 422
    code = "validation_error"
    title = "Unprocessable Content"

    def __init__(self, field: str, message: str, *, code: str = "validation_error") -> None:
        super().__init__(
            f"{field}: {message}", code=code, errors=[FieldProblem(field=field, message=message)]
        )


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Sequence[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    """`extensions`: more members of the problem (RFC 9457 §3.2), e.g. `down` of /ready."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if extensions:
        body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_name(location: Sequence[int | str]) -> str:
    """`("body", "materials", 0, "quantity")` → `materials.0.quantity`; `("query", "limit")`
    → `limit`."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _validation_problems(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        message = str(error.get("msg", "Invalid value"))
        if error.get("type") == "json_invalid":
            message = "The body is not valid JSON"
        problems.append(FieldProblem(field=field_name(error.get("loc", ())), message=message))
    return problems


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if exc.headers:
            headers = {**(headers or {}), **exc.headers}
        return problem_response(
            exc.status, exc.code, exc.detail, title=exc.title, errors=exc.errors, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _validation_problems(exc)
        detail = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
        return problem_response(422, "validation_error", detail, errors=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return problem_response(exc.status_code, code, detail, headers=headers)

    app.add_middleware(ErrorBoundary)


def allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document gives the path, for a 405's `Allow` (RFC 9110
    §15.5.6): Starlette names only the first route that matched the path, and FastAPI has a
    route per method."""
    app = request.app
    templates: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "path_methods", None
    )
    if templates is None:
        templates = [
            (
                re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"),
                frozenset(m.upper() for m in item if m in _HTTP_METHODS),
            )
            for path, item in app.openapi().get("paths", {}).items()
        ]
        app.state.path_methods = templates
    path = request.url.path
    methods = {m for pattern, found in templates if pattern.match(path) for m in found}
    return ", ".join(sorted(methods))


_HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})


DATABASE_UNAVAILABLE_DETAIL = "The database cannot be reached right now; try again shortly."


def database_unavailable_response() -> JSONResponse:
    return problem_response(
        503,
        "database_unavailable",
        DATABASE_UNAVAILABLE_DETAIL,
        headers={"Retry-After": "1"},
    )


class ErrorBoundary:
    """The last word on an exception no handler took: a problem+json answer, and nothing
    re-raised to the server.

    FastAPI's `exception_handler(Exception)` lives in Starlette's ServerErrorMiddleware,
    which answers and then re-raises to uvicorn: the keep-alive connection is dropped and
    the traceback printed a second time. This middleware sits inside it and answers
    instead: 503 `database_unavailable` (Retry-After: 1) when the database cannot be
    reached, logged through an `OutageLog` (one traceback, then a count per 10 s), else
    500 `internal_error` with the traceback logged once.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.outage = OutageLog("db.unavailable", logger=structlog.get_logger("problems"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            path = scope.get("path", "")
            if database_unavailable(exc):
                self.outage.failure(exc, path=path)
                response = database_unavailable_response()
            else:
                logger.exception("request.failed path=%s", path, exc_info=exc)
                response = problem_response(
                    500, "internal_error", "Something went wrong on our side."
                )
            if not started:  # else the client sees a cut-off body; nothing more to say
                await response(scope, receive, send)


Responses = dict[int | str, dict[str, Any]]


def documented(status: int, description: str) -> Responses:
    """An OpenAPI `responses=` entry for a problem, e.g. `documented(409, "`in_use`")`."""
    return {status: {"model": Problem, "description": description}}


PROBLEM_RESPONSES: Responses = {
    401: {"model": Problem, "description": "Missing or invalid API key"},
    404: {"model": Problem, "description": "Not found (or another tenant's)"},
    422: {"model": Problem, "description": "Invalid input, with field errors"},
    503: {
        "model": Problem,
        "description": "`database_unavailable`: the database cannot be reached; retry after "
        "the `Retry-After` seconds",
    },
}
