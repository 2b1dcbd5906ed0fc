"""Request and response bodies of `/api/v1/integration` (API.md, sync_worker)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)
from pydantic.config import JsonDict

from shared.enums import (
    IntegrationState,
    SyncEntity,
    SyncRunStatus,
    SyncTrigger,
)
from shared.ids import MAX_ID, json_integer

WipeTableName = Literal[
    "article_group",
    "article",
    "work_order",
    "work_address",
    "customer",
    "object",
    "contact_person",
]
NO_NUL = r"^[^\x00]*$"
RompslompId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(json_integer)]
# A Rompslomp product id, or its product code (at most 100 characters in Rompslomp).
ProductRef = (
    Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)] | RompslompId
)
# A yes the request must carry (`const: true`, required, in the document); the endpoint
# answers a no with its own code and a Dutch sentence naming the field.
MUST_BE_TRUE: JsonDict = {"const": True}


def _requires(*fields: str) -> JsonDict:
    return {"required": list(fields)}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class Wizard(BaseModel):
    wiped: bool
    connected: bool
    configured: bool


class TableStatusOut(BaseModel):
    table: str
    count: int
    simon_mutation_at: datetime | None
    integration_update_at: datetime | None


class SyncRunOut(BaseModel):
    id: int
    entity: SyncEntity
    trigger: SyncTrigger
    status: SyncRunStatus
    fetched: int
    total: int | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    added: int = 0
    changed: int = 0
    deactivated: int = 0
    removed: int = 0
    skipped: int = 0


class HeldDeletionsOut(BaseModel):
    entity: SyncEntity
    count: int = Field(description="Records missing from Rompslomp's last complete listing")
    since: datetime | None


class IntegrationStatus(BaseModel):
    state: IntegrationState
    wizard: Wizard
    first_activation: bool
    started_at: datetime | None
    ended_at: datetime | None
    tables: list[TableStatusOut]
    sync: list[SyncRunOut]
    held_deletions: list[HeldDeletionsOut] = Field(
        default_factory=list,
        description="Waiting for POST /sync/confirm-deletions (the mass-deletion guard)",
    )


class WipeTableOut(BaseModel):
    table: str
    label: str
    count: int
    last_mutation_at: datetime | None
    required: bool


class WipePreview(BaseModel):
    first_activation: bool
    tables: list[WipeTableOut]


class WipeRequest(Body):
    # Documented as the table names; an unknown name is still answered by the endpoint
    # (422 `unknown_table`, naming it in Dutch).
    tables: list[str] = Field(
        examples=[["article_group", "article", "work_order"]],
        json_schema_extra={"items": {"type": "string", "enum": list(get_args(WipeTableName))}},
    )


class WipedTable(BaseModel):
    table: str
    deleted: int


class WipeResult(BaseModel):
    tables: list[WipedTable]


class ConnectOut(BaseModel):
    authorize_url: str


class Administration(BaseModel):
    id: int
    name: str | None
    api_accessible: bool


class Administrations(BaseModel):
    items: list[Administration]


class CheckRequest(Body):
    administration_id: RompslompId
    product: ProductRef = Field(description="A Rompslomp product id or product code")


class ProductOut(BaseModel):
    id: int
    product_code: str | None
    description: str | None
    price_per_unit: Decimal | None


class SettingsIn(Body):
    model_config = ConfigDict(json_schema_extra=_requires("administration_id", "accept_terms"))

    administration_id: RompslompId
    work_time_product: ProductRef | None = None
    travel_time_product: ProductRef | None = None
    standard_product: ProductRef | None = None
    description_as_first_line: StrictBool = False
    filter_word: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    accept_terms: StrictBool = Field(
        default=False, json_schema_extra=MUST_BE_TRUE, description="The terms of use: true"
    )
    confirm_administration_switch: StrictBool = Field(
        default=False,
        description=(
            "Another administration after the first activation is a switch: the old one's "
            "customers and articles leave Simon and the new one is imported. Without this, "
            "409 `administration_switch_unconfirmed` with the counts that would change."
        ),
    )


class SettingsOut(BaseModel):
    state: IntegrationState
    administration_id: int
    administration_name: str | None
    work_time_product: ProductOut | None
    travel_time_product: ProductOut | None
    standard_product: ProductOut | None
    description_as_first_line: bool
    filter_word: str | None
    accept_terms: bool
    terms_accepted_at: datetime
    saved_at: datetime
    saved_by: int | None
    # An administration switch saved but not carried out yet (exports settling, import).
    switch_from_administration_id: int | None = None
    switch_from_administration_name: str | None = None
    sync: list[SyncRunOut] = Field(default_factory=list)


class SettingsVersionOut(BaseModel):
    saved_at: datetime
    saved_by: int | None
    settings: dict[str, object]


class SettingsHistory(BaseModel):
    items: list[SettingsVersionOut]


class DeactivateRequest(Body):
    model_config = ConfigDict(json_schema_extra=_requires("confirm"))

    confirm: StrictBool = Field(
        default=False, json_schema_extra=MUST_BE_TRUE, description="The manual's question: yes"
    )


class SyncRequest(Body):
    customers: StrictBool = False
    articles: StrictBool = False


class ConfirmDeletionsRequest(Body):
    entity: SyncEntity


class ConfirmDeletionsOut(BaseModel):
    entity: SyncEntity
    deactivated: int
    removed: int


class SyncRuns(BaseModel):
    runs: list[SyncRunOut]


class SyncRunList(BaseModel):
    items: list[SyncRunOut]

