"""The OpenAPI document says what the services really answer (issue #14).

FastAPI documents every error response as `application/json`, knows nothing of the errors
raised before or around a route (401 from authentication, 413 from the body limit, 422
from validation of any parameter, 503 while the database is away) and shapes 422 as its
own `HTTPValidationError`. One pass over the generated document fixes all operations at
once, so an endpoint added later is documented the same way without anyone remembering:
- every 4xx/5xx is `application/problem+json` with the `Problem` schema;
- 400 (a body that is not text) and 413 where the operation takes a body; 401 where
  it is secured; 422 where it takes parameters or a body; 503 (with `Retry-After`)
  everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.ids import MAX_ID
from shared.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}

# Errors any operation may answer, with the condition under which it is added.
_ADDED: list[tuple[int, str, Callable[[dict[str, Any]], bool]]] = [
    (
        400,
        "The body cannot be read as JSON text (`bad_request`)",
        lambda op: "requestBody" in op,
    ),
    (401, "Missing or invalid API key", lambda op: bool(op.get("security"))),
    (413, "The request body is over 1 MiB (`body_too_large`)", lambda op: "requestBody" in op),
    (
        422,
        "Invalid input, with field errors (`validation_error`)",
        lambda op: "requestBody" in op or bool(op.get("parameters")),
    ),
    (
        503,
        "The database cannot be reached (`database_unavailable`); try again after "
        "`Retry-After` seconds",
        lambda op: True,
    ),
]


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite `document` in place (and return it) as described above."""
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description, applies in _ADDED:
                if str(status) not in responses and applies(operation):
                    responses[str(status)] = {"description": description}
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = _problem_content()
                    if status in ("429", "503"):
                        response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    _exact_schemas(document)
    return document


def _exact_schemas(node: Any) -> None:
    """Two things pydantic's JSON Schema gets wrong for a contract, fixed everywhere:
    - a bound beyond 2^53 is written as a float (`9.223372036854776e+18` is 2^63, one more
      than a BIGINT holds); an integer's bounds are written as the exact integers;
    - a field that may be left out but not sent as null (a PATCH field, `Patch[...]`)
      keeps `"default": null`, which its own type does not allow; the default goes (as
      does a default beside a `const` that differs from it)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for bound in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
                value = node.get(bound)
                if isinstance(value, float) and value.is_integer():
                    node[bound] = MAX_ID if value >= MAX_ID else int(value)
        if "default" in node and node["default"] is None and not _allows_null(node):
            del node["default"]
        if "const" in node and node.get("default", node["const"]) != node["const"]:
            del node["default"]  # a yes the request must send has no default
        for child in node.values():
            _exact_schemas(child)
    elif isinstance(node, list):
        for child in node:
            _exact_schemas(child)


def _allows_null(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "null" or "$ref" in schema:
        return schema.get("type") == "null"
    if isinstance(schema.get("type"), list):
        return "null" in schema["type"]
    return any(
        isinstance(option, dict) and _allows_null(option)
        for key in ("anyOf", "oneOf")
        for option in schema.get(key, [])
    )


def install_problem_openapi(app: FastAPI) -> None:
    """Serve the rewritten document at /openapi.json (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
