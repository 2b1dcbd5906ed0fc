from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.simon_api.fields import (
    City,
    CountryCode,
    Email,
    Name,
    Patch,
    Phone,
    ShortText,
    Zipcode,
)
from shared.enums import RecordSource


class CustomerFields(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    number: ShortText | None = None
    address: ShortText | None = None
    zipcode: Zipcode | None = None
    city: City | None = None
    country_code: CountryCode | None = None
    email: Email | None = None
    phone: Phone | None = None


class CustomerCreate(CustomerFields):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "name": "Bakkerij Jansen",
                    "address": "Dorpsstraat 12",
                    "zipcode": "1234 AB",
                    "city": "Utrecht",
                    "country_code": "NL",
                    "email": "info@bakkerijjansen.nl",
                }
            ]
        },
    )

    name: Name


class CustomerUpdate(CustomerFields):
    name: Patch[Name] = None


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str | None
    name: str
    address: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None
    email: str | None
    phone: str | None
    rompslomp_id: int | None = Field(description="The Rompslomp contact id, when synced.")
    source: RecordSource
    active: bool
