"""Rompslomp-shaped errors: ``{"error": {"type": ..., "message": ...}}``."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import Request, responses
from starlette.exceptions import HTTPException as StarletteHTTPException

REALM = 'Bearer realm="Rompslomp API v1"'


class JSONResponse(responses.JSONResponse):
    """JSON with the reference's content type, ``application/json; charset=utf-8``.

    Encoded with orjson: the sandbox shares the machine with the client it serves in
    benchmarks, and the stdlib encoder was its largest cost per page of 100 records."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            # Raw values stored through the control plane may hold what orjson refuses
            # (an integer beyond 64 bits); the stdlib writes them as JSON allows.
            return json.dumps(content, ensure_ascii=False).encode()


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}


def error_body(type_: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"type": type_, "message": message}}


def error_response(
    status: int, type_: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(type_, message), status_code=status, headers=headers)


def invalid_token(description: str) -> ApiError:
    header = f'{REALM}, error="invalid_token", error_description="{description}"'
    return ApiError(
        401,
        "client.authentication.invalid_token",
        description,
        headers={"WWW-Authenticate": header},
    )


def not_found(model: str) -> ApiError:
    return ApiError(404, "client.not_found.resource", f"{model} niet gevonden")


def validation(model: str, message: str) -> ApiError:
    return ApiError(422, "client.parameters.validation", f"{model} is invalid: {message}")


def unpermitted(names: list[str]) -> ApiError:
    listed = ", ".join(f":{name}" for name in names)
    noun = "parameter" if len(names) == 1 else "parameters"
    return ApiError(
        400, "client.parameters.unpermitted_parameters", f"found unpermitted {noun}: {listed}"
    )


def invalid_value(name: str, message: str) -> ApiError:
    return ApiError(400, "client.parameters.invalid_parameter_value", f"{name}: {message}")


def missing(name: str) -> ApiError:
    return ApiError(
        400,
        "client.parameters.missing_parameter",
        f"param is missing or the value is empty: {name}",
    )


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.type, exc.message, exc.headers)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own 404/405 rendered in the reference's error shape."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_response(404, "client.not_found.endpoint", "Endpoint niet gevonden")
    if exc.status_code == 405:
        return error_response(404, "client.not_found.endpoint", "Endpoint niet gevonden")
    return error_response(exc.status_code, "client", str(exc.detail))
