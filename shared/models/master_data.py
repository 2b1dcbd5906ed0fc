"""Customers, articles and what hangs off customers (work addresses, contact persons,
objects). Customers and articles are led by Rompslomp once the integration is active."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Timestamps
from shared.enums import RecordSource, check_sql, enum_column


class ArticleGroup(Timestamps, Base):
    __tablename__ = "article_groups"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class Customer(Timestamps, Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "rompslomp_id"),
        CheckConstraint(check_sql("source", RecordSource), name="source"),
        Index("ix_customers_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Text without a length: Rompslomp's contact fields have none (simon_api's input schemas
    # keep their own limits for what people type in Simon).
    number: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    zipcode: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    rompslomp_id: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[RecordSource] = mapped_column(
        enum_column(RecordSource, 10), default=RecordSource.SIMON, server_default=RecordSource.SIMON
    )
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    # What Rompslomp last sent, hashed: an unchanged record costs the sync no write.
    content_hash: Mapped[str | None] = mapped_column(String(32))


class Article(Timestamps, Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "rompslomp_id"),
        CheckConstraint(check_sql("source", RecordSource), name="source"),
        Index("ix_articles_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))  # Rompslomp's product_code: max 100
    description: Mapped[str] = mapped_column(Text)
    # Six decimals as Rompslomp may send them; ten integer digits, as Simon's money has.
    price: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    vat_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # a fraction: 0.21
    vat_type_id: Mapped[int | None] = mapped_column(BigInteger)
    article_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_groups.id", ondelete="SET NULL"), index=True
    )
    rompslomp_id: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[RecordSource] = mapped_column(
        enum_column(RecordSource, 10), default=RecordSource.SIMON, server_default=RecordSource.SIMON
    )
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    # What Rompslomp last sent, hashed: an unchanged record costs the sync no write.
    content_hash: Mapped[str | None] = mapped_column(String(32))


class WorkAddress(Timestamps, Base):
    __tablename__ = "work_addresses"
    __table_args__ = (
        Index("ix_work_addresses_tenant_id_id", "tenant_id", "id"),
        # The customer's default address in Rompslomp (R-MASTER-2): at most one per customer.
        Index(
            "uq_work_addresses_rompslomp_customer",
            "customer_id",
            unique=True,
            postgresql_where=text(f"source = '{RecordSource.ROMPSLOMP}'"),
        ),
        CheckConstraint(check_sql("source", RecordSource), name="source"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # Text: the Rompslomp work address carries the contact's address as Rompslomp has it.
    street: Mapped[str | None] = mapped_column(Text)
    zipcode: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(Text)
    source: Mapped[RecordSource] = mapped_column(
        enum_column(RecordSource, 10), default=RecordSource.SIMON, server_default=RecordSource.SIMON
    )


class ContactPerson(Timestamps, Base):
    __tablename__ = "contact_persons"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    function: Mapped[str | None] = mapped_column(String(100))


class CustomerObject(Timestamps, Base):
    """Installed equipment at a customer (a boiler, a heat pump …): SPEC's "objects"."""

    __tablename__ = "objects"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
