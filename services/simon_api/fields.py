"""Reusable field types for request schemas: bounded, NUL-free text and database-sized ids."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from shared.ids import MAX_ID as MAX_ID  # re-exported for the routers
from shared.ids import JsonInt as JsonInt
from shared.ids import PathId as PathId
from shared.ids import json_integer

NO_NUL = r"^[^\x00]*$"
# Whitespace spelled out: what `\s` means differs between regex engines (U+0085, U+2028…),
# and the document's pattern must mean one thing to every client and to this service.
SPACES = " \t\n\r\f\v"
# Some text besides spaces. Names are stripped *after* the checks, so the OpenAPI document's
# limits (on what is sent) are exactly the ones applied.
HAS_TEXT = r"^[^\x00]*[^ \t\n\r\f\v\x00][^\x00]*$"


def _strip(text: str) -> str:
    return text.strip(SPACES)


# Constraints before the validator, so the document shows them as minimum and maximum.
EntityId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(json_integer)]
T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("May not be null")
    return value


class _WithoutNull:
    """Drops the `null` branch from a field's JSON Schema (pydantic writes `anyOf: [X,
    {type: null}]` for `X | None`). The type stays `X | None` for validation, so errors keep
    plain locations (`questions.0.options`, not a union member's name)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
        if "anyOf" in schema and len(options) == 1:
            rest = {key: value for key, value in schema.items() if key != "anyOf"}
            return {**options[0], **rest}
        return schema


# A PATCH field that may be left out but not sent as null: `name: Patch[Name] = None`. The
# document shows it without null, and a null sent anyway answers 422 naming the field (a
# validator runs only on what was sent, so the default None means "not sent").
Patch = Annotated[T | None, BeforeValidator(_refuse_null), _WithoutNull()]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=HAS_TEXT),
    AfterValidator(_strip),
]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Label = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=HAS_TEXT),
    AfterValidator(_strip),
]
LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Zipcode = Annotated[str, StringConstraints(max_length=20, pattern=NO_NUL)]
City = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=NO_NUL)]
Email = Annotated[
    str,
    StringConstraints(
        max_length=320, pattern=r"^[^@ \t\n\r\f\v\x00]+@[^@ \t\n\r\f\v\x00]+$"
    ),
]
CountryCode = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
SearchText = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
