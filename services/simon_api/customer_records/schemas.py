"""Records that belong to one customer: work addresses, contact persons, objects.

`customer_id` is set at creation and never changes: a work order that uses a work address
relies on it staying with that customer (R-MASTER-5)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.simon_api.fields import (
    City,
    CountryCode,
    Email,
    EntityId,
    Label,
    LongText,
    Name,
    Patch,
    Phone,
    ShortText,
    Zipcode,
)
from shared.enums import RecordSource


class WorkAddressFields(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    street: ShortText | None = None
    zipcode: Zipcode | None = None
    city: City | None = None
    country_code: CountryCode | None = None


class WorkAddressCreate(WorkAddressFields):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": 1,
                    "street": "Kerkstraat 5",
                    "zipcode": "3511 LK",
                    "city": "Utrecht",
                    "country_code": "NL",
                }
            ]
        },
    )
    customer_id: EntityId


class WorkAddressUpdate(WorkAddressFields):
    pass


class WorkAddressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    street: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None
    source: RecordSource


class ContactPersonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    name: Patch[Name] = None
    email: Email | None = None
    phone: Phone | None = None
    function: Label | None = None


class ContactPersonCreate(ContactPersonUpdate):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [{"customer_id": 1, "name": "Anja de Boer", "phone": "06-12345678"}]
        },
    )
    customer_id: EntityId
    name: Name


class ContactPersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    name: str
    email: str | None
    phone: str | None
    function: str | None


class ObjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    name: Patch[Name] = None
    brand: Label | None = None
    model: Label | None = None
    serial_number: Label | None = None
    notes: LongText | None = None


class ObjectCreate(ObjectUpdate):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": 1,
                    "name": "Cv-ketel",
                    "brand": "Remeha",
                    "model": "Calenta Ace 28c",
                    "serial_number": "RM-2231-778",
                }
            ]
        },
    )
    customer_id: EntityId
    name: Name


class ObjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    name: str
    brand: str | None
    model: str | None
    serial_number: str | None
    notes: str | None
