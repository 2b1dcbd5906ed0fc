"""Helpers shared by the resources: query checks, paging, request bodies, field coercion."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import Request

from .. import money
from ..errors import ApiError, JSONResponse, invalid_value, missing, unpermitted, validation

T = TypeVar("T")

DEFAULT_PER_PAGE = 40
MAX_PER_PAGE = 100
PAGING = frozenset({"page", "per_page"})


def check_query(request: Request, allowed: Iterable[str] = ()) -> None:
    """Reject query parameters the endpoint does not know (400 unpermitted_parameters)."""
    known = PAGING | set(allowed)
    unknown = sorted({key for key in request.query_params if key not in known})
    if unknown:
        raise unpermitted(unknown)


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_value(name, f"'{raw}' is geen geheel getal") from None
    if value < minimum:
        raise invalid_value(name, f"moet groter dan of gelijk aan {minimum} zijn")
    return value


def paging(request: Request) -> tuple[int, int]:
    page = _int_param(request, "page", 1, 1)
    per_page = min(_int_param(request, "per_page", DEFAULT_PER_PAGE, 0), MAX_PER_PAGE)
    return page, per_page


def page_response(
    request: Request,
    key: str,
    total: int,
    fetch: Callable[[int, int], Sequence[T]],
    render: Callable[[T], dict[str, Any]],
) -> JSONResponse:
    """One page of a list with the X-Page/X-Per-Page/X-Total headers."""
    page, per_page = paging(request)
    items = fetch((page - 1) * per_page, per_page) if per_page else []
    headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(total)}
    return JSONResponse({key: [render(item) for item in items]}, headers=headers)


def page_of(items: Sequence[T]) -> Callable[[int, int], Sequence[T]]:
    return lambda offset, limit: items[offset : offset + limit]


async def read_body(request: Request, root: str) -> dict[str, Any]:
    """The object under ``root`` in a JSON body; 400 when malformed or missing."""
    raw = await request.body()
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "client.parameters.malformed_json", "De JSON in het verzoek is ongeldig"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get(root), dict):
        raise missing(root)
    body: dict[str, Any] = payload[root]
    return body


def reject_unknown(body: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = [key for key in body if key not in set(allowed)]
    if unknown:
        raise unpermitted(unknown)


def as_text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        raise invalid_value(name, "moet tekst zijn")
    text = str(value).strip()
    return text or None


def as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "0", "false", 0):
        return False
    if value in ("1", "true", 1):
        return True
    raise invalid_value(name, "moet true of false zijn")


def as_int(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise invalid_value(name, "moet een geheel getal zijn")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise invalid_value(name, "moet een geheel getal zijn")


def as_decimal(model: str, label: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    number = money.parse(value)
    if number is None:
        raise validation(model, f"{label} is geen getal.")
    return number


def as_date(model: str, label: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise validation(model, f"{label} is geen geldige datum.") from None


def search_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(f"search[{name}]")
    return value if value not in (None, "") else None


def selection(request: Request, allowed: Sequence[str]) -> str:
    value = request.query_params.get("selection") or "all"
    if value not in allowed:
        raise invalid_value("selection", f"'{value}' is geen geldige selectie")
    return value
