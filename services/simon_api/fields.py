"""Reusable field types for request schemas: bounded, NUL-free text and database-sized ids."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.ids import MAX_ID as MAX_ID  # re-exported for the routers
from shared.ids import PathId as PathId

NO_NUL = r"^[^\x00]*$"

EntityId = Annotated[int, Field(ge=1, le=MAX_ID, strict=False)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)
]
LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Zipcode = Annotated[str, StringConstraints(max_length=20, pattern=NO_NUL)]
City = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=NO_NUL)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"),
]
CountryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")
]
SearchText = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
