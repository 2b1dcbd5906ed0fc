from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.simon_api.fields import Name

# 1x1 transparent pixel: the smallest PNG there is, for the documentation's example.
EXAMPLE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class SignatureIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={"examples": [{"name": "J. Jansen", "image": EXAMPLE_PNG}]},
    )

    name: Name = Field(description="The name of the person who signs")
    image: Annotated[str, StringConstraints(max_length=1_400_000)] = Field(
        description="A PNG of at most 200 KB, base64 (a `data:image/png;base64,` URL is fine)"
    )


class SignatureOut(BaseModel):
    name: str
    image: str = Field(description="The PNG, base64")
    signed_at: dt.datetime
    signed_by_id: int | None = Field(description="The employee whose device took it")
