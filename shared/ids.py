"""Database-sized ids (BIGINT) and JSON integers: anything larger answers 422, never a
driver error, and a body's integer is a JSON integer, never `true` or `"3"`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BeforeValidator

MAX_ID = 2**63 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def json_integer(value: Any) -> Any:
    """What JSON Schema calls an integer: 3, and 3.0 (a number without a fraction), but not
    `true` or `"3"`, which pydantic's lax mode would turn into 1 and 3. The OpenAPI
    document says `integer`; the service accepts exactly that."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(json_integer)]
