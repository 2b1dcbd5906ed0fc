"""Work orders with their time entries (work/travel) and materials."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Timestamps
from shared.enums import TimeEntryKind, WorkOrderStatus, check_sql, enum_column


class WorkOrder(Timestamps, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint(check_sql("status", WorkOrderStatus), name="status"),
        Index("ix_work_orders_tenant_id_id", "tenant_id", "id"),
        Index("ix_work_orders_tenant_id_status_id", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    status: Mapped[WorkOrderStatus] = mapped_column(
        enum_column(WorkOrderStatus, 10), default=WorkOrderStatus.CREATED
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    work_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_addresses.id", ondelete="RESTRICT"), index=True
    )
    # The API refuses to delete a contact person or object a work order uses; SET NULL is
    # for the wipe and the master-data cleanup, which remove a customer's records wholesale.
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_persons.id", ondelete="SET NULL"), index=True
    )
    object_id: Mapped[int | None] = mapped_column(
        ForeignKey("objects.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT"), index=True
    )
    planned_date: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archive_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The API's JSON of this work order with its lines (`WorkOrderOut`), written by every
    # writer of the work order or its parts through shared/work_order_view.py.
    api_view: Mapped[str | None] = mapped_column(Text, deferred=True)


class TimeEntry(Timestamps, Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint(check_sql("kind", TimeEntryKind), name="kind"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TimeEntryKind] = mapped_column(enum_column(TimeEntryKind, 10))
    minutes: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT"), index=True
    )
    date: Mapped[date | None] = mapped_column(Date)


class Material(Timestamps, Base):
    __tablename__ = "materials"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))


class WorkOrderSignature(Timestamps, Base):
    """The customer's signature on the work order (a PNG), one per work order; replaced by
    a new one until the work order is completed."""

    __tablename__ = "work_order_signatures"

    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    image: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL"), index=True
    )
