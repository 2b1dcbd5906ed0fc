"""API shapes of the export endpoints (API.md: invoice preview, exports, retry)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

from shared.money import render_money, render_quantity

ExportStatus = Literal["pending", "sending", "unknown", "sent", "failed", "skipped"]
Price = Annotated[Decimal, PlainSerializer(render_money, return_type=str, when_used="json")]
Quantity = Annotated[Decimal, PlainSerializer(render_quantity, return_type=str, when_used="json")]


class PreviewLine(BaseModel):
    description: str
    extended_description: str | None = None
    quantity: Quantity
    price_per_unit: Price = Field(description="Excluding VAT.")
    product_id: int | None
    vat_type_id: int | None


class PreviewProblem(BaseModel):
    code: str = Field(examples=["no_customer"])
    message: str = Field(description="Plain Dutch, as the log would say it.")
    action: str
    message_en: str
    action_en: str


class InvoicePreview(BaseModel):
    work_order_id: int
    number: str
    description: str = Field(description="The invoice's description.")
    lines: list[PreviewLine]
    problems: list[PreviewProblem]
    would_send: bool


class ExportOut(BaseModel):
    id: int
    work_order_id: int
    number: str | None = Field(description="The work order's number.")
    status: ExportStatus
    api_reference: str
    rompslomp_invoice_id: int | None
    archive_seq: int
    attempts: int
    last_error: str | None
    archived_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ExportPage(BaseModel):
    items: list[ExportOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
