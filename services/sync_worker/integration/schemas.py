"""Request and response bodies of `/api/v1/integration` (API.md, sync_worker)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

State = Literal["never_activated", "active", "inactive", "needs_reconnect"]
WipeTableName = Literal[
    "article_group",
    "article",
    "work_order",
    "work_address",
    "customer",
    "object",
    "contact_person",
]
ProductRef = str | int


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
    entity: str
    trigger: str
    status: str
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
    entity: Literal["customers", "articles"]
    count: int = Field(description="Records missing from Rompslomp's last complete listing")
    since: datetime | None


class IntegrationStatus(BaseModel):
    state: State
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
    tables: list[str] = Field(examples=[["article_group", "article", "work_order"]])


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
    administration_id: int
    product: ProductRef = Field(description="A Rompslomp product id or product code")


class ProductOut(BaseModel):
    id: int
    product_code: str | None
    description: str | None
    price_per_unit: Decimal | None


class SettingsIn(Body):
    administration_id: int
    work_time_product: ProductRef | None = None
    travel_time_product: ProductRef | None = None
    standard_product: ProductRef | None = None
    description_as_first_line: bool = False
    filter_word: str | None = Field(default=None, max_length=100)
    accept_terms: bool = False
    confirm_administration_switch: bool = Field(
        default=False,
        description=(
            "Another administration after the first activation is a switch: the old one's "
            "customers and articles leave Simon and the new one is imported. Without this, "
            "409 `administration_switch_unconfirmed` with the counts that would change."
        ),
    )


class SettingsOut(BaseModel):
    state: State
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
    confirm: bool = False


class SyncRequest(Body):
    customers: bool = False
    articles: bool = False


class ConfirmDeletionsRequest(Body):
    entity: Literal["customers", "articles"]


class ConfirmDeletionsOut(BaseModel):
    entity: str
    deactivated: int
    removed: int


class SyncRuns(BaseModel):
    runs: list[SyncRunOut]


class SyncRunList(BaseModel):
    items: list[SyncRunOut]


class LogEntryOut(BaseModel):
    at: datetime
    level: str
    table: str | None
    message: str
    action: str
    work_order_id: int | None
    work_order_number: str | None = None


class LogPage(BaseModel):
    items: list[LogEntryOut]
    page: int
    per_page: int
    total: int
