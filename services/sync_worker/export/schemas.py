"""API shapes of the export endpoints (API.md: invoice preview, exports, retry)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from shared.export_status import ExportStatus
from shared.models.integration import InvoiceExport
from shared.money import render_money, render_quantity

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
    status: ExportStatus = Field(
        description="`unknown`: a POST's answer was ambiguous; it is settled by a lookup "
        "no earlier than EXPORT_SETTLE_SECONDS later. `removed`: the concept invoice was "
        "deleted in Rompslomp (reopen is allowed)."
    )
    api_reference: str
    rompslomp_invoice_id: int | None
    archive_seq: int
    attempts: int
    last_error: str | None
    archived_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, export: InvoiceExport, number: str | None) -> ExportOut:
        return cls(
            id=export.id,
            work_order_id=export.work_order_id,
            number=number,
            status=export.status,
            api_reference=export.api_reference,
            rompslomp_invoice_id=export.rompslomp_invoice_id,
            archive_seq=export.archive_seq,
            attempts=export.attempts,
            last_error=export.last_error,
            archived_at=export.archived_at,
            sent_at=export.sent_at,
            created_at=export.created_at,
            updated_at=export.updated_at,
        )


class ExportPage(BaseModel):
    items: list[ExportOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
