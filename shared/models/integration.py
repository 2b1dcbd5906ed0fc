"""Tables the sync worker owns; simon_api only reads them.

`integrations` holds each tenant's integration state (R-MASTER-3 reads it) and wizard
progress;
`invoice_exports` one row per archived work order sent to Rompslomp (R-EXPORT-2: reopening
an archived work order is allowed only while no concept invoice exists for it).
The state and the status are `StrEnum`s (shared/enums.py, shared/export_status.py) whose
values also make the columns' CHECKs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.enums import IntegrationState, check_sql, enum_column
from shared.export_status import ExportStatus


class Integration(Base):
    __tablename__ = "integrations"
    __table_args__ = (CheckConstraint(check_sql("state", IntegrationState), name="state"),)

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[IntegrationState] = mapped_column(
        enum_column(IntegrationState, 20), default=IntegrationState.NEVER_ACTIVATED
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Wizard progress (R-SETUP-1), apart from `state`, which simon_api reads: set when the
    # step was done, cleared when it has to be done again.
    wiped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    configured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class InvoiceExport(Base):
    __tablename__ = "invoice_exports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "work_order_id"),
        CheckConstraint(check_sql("status", ExportStatus), name="status"),
        Index("ix_invoice_exports_tenant_id_id", "tenant_id", "id"),
        Index("ix_invoice_exports_status_updated_at", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus, 10))
    api_reference: Mapped[str] = mapped_column(String(100))
    rompslomp_invoice_id: Mapped[int | None] = mapped_column(BigInteger)
    # The `work_order.archived` event being exported (the latest archive of the work order).
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    archive_seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The administration and the invoice of the POST in flight, so a crash or an ambiguous
    # answer is reconciled against exactly what may have been created (DESIGN D3).
    administration_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The lease of a POST in flight: set when `sending` is committed; another worker takes
    # the export over only once the lease (longer than the POST may take) has run out.
    sending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # `unknown`: the earliest moment Rompslomp can no longer be working on the ambiguous
    # POST (its answer + EXPORT_SETTLE_SECONDS); the lookup waits until then.
    settle_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
