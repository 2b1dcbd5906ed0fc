"""What the activation wizard and the status screen keep (sync worker tables).

- `rompslomp_connections`: one tenant's OAuth token pair, Fernet-encrypted (DESIGN D5);
- `oauth_states`: pending authorisations: the SHA-256 of the single-use `state`, the
  encrypted PKCE verifier, bound to the tenant and the employee who clicked "Koppel";
- `integration_settings` + `integration_settings_history`: the current settings and every
  saved version (who, when, what), so "effective from the moment saved" can be shown;
- `sync_runs`: one row per run of a master-data sync with its progress (R-SYNC-1);
- `sync_states`: the sync's cadence bookkeeping and held-back deletions per entity;
- `integration_log`: the user-facing log (R-LOG-1), in plain Dutch;
- `rompslomp_request_buckets`: each tenant's pace of requests to Rompslomp.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.enums import (
    LogLevel,
    LogTable,
    SyncEntity,
    SyncRunStatus,
    SyncTrigger,
    check_sql,
    enum_column,
)


class RompslompConnection(Base):
    __tablename__ = "rompslomp_connections"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    access_token_encrypted: Mapped[str] = mapped_column(Text)
    refresh_token_encrypted: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str | None] = mapped_column(String(500))
    connected_by: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class OAuthState(Base):
    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntegrationSettings(Base):
    """The settings in force. Products are stored resolved: Rompslomp id, code, description."""

    __tablename__ = "integration_settings"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    administration_id: Mapped[int] = mapped_column(BigInteger)
    administration_name: Mapped[str | None] = mapped_column(String(200))
    work_time_product: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    travel_time_product: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    standard_product: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    description_as_first_line: Mapped[bool] = mapped_column(Boolean, default=False)
    filter_word: Mapped[str | None] = mapped_column(String(100))
    terms_accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    terms_accepted_by: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    # An administration switch (R-SETUP-6) saved but not yet carried out: the job waits for
    # exports in flight to the old administration, retires its records, imports the new one.
    switch_from_administration_id: Mapped[int | None] = mapped_column(BigInteger)
    switch_from_administration_name: Mapped[str | None] = mapped_column(Text)
    switch_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntegrationSettingsVersion(Base):
    __tablename__ = "integration_settings_history"
    __table_args__ = (Index("ix_integration_settings_history_tenant_saved", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)


class SyncRun(Base):
    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint(check_sql("entity", SyncEntity), name="entity"),
        CheckConstraint(check_sql("trigger", SyncTrigger), name="trigger"),
        CheckConstraint(check_sql("status", SyncRunStatus), name="status"),
        Index("ix_sync_runs_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    entity: Mapped[SyncEntity] = mapped_column(enum_column(SyncEntity, 20))
    trigger: Mapped[SyncTrigger] = mapped_column(enum_column(SyncTrigger, 20))
    status: Mapped[SyncRunStatus] = mapped_column(
        enum_column(SyncRunStatus, 10), default=SyncRunStatus.QUEUED
    )
    fetched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deactivated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    removed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Times the run was started (a retriable failure puts it back in the queue).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Records Simon could not store (logged one by one; counted as seen, never deleted).
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SyncState(Base):
    """Per tenant × entity: when Rompslomp was last probed and last listed completely, and
    deletions the mass-deletion guard holds back until a person confirms (R-MASTER-4)."""

    __tablename__ = "sync_states"
    __table_args__ = (CheckConstraint(check_sql("entity", SyncEntity), name="entity"),)

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    entity: Mapped[SyncEntity] = mapped_column(enum_column(SyncEntity, 20), primary_key=True)
    probed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    probe_total: Mapped[int | None] = mapped_column(Integer)
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    listed_total: Mapped[int | None] = mapped_column(Integer)
    pending_deletions: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    pending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the integration stops being active: Simon may edit Rompslomp-led rows then,
    # so the next complete listing compares values instead of trusting content hashes.
    repair_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Records skipped by the last listing: Rompslomp id → why, so a record that stays bad
    # is logged once, not at every run.
    skipped: Mapped[dict[str, str] | None] = mapped_column(JSONB)


class IntegrationLogEntry(Base):
    __tablename__ = "integration_log"
    __table_args__ = (
        CheckConstraint(check_sql("level", LogLevel), name="level"),
        CheckConstraint(check_sql("table_name", LogTable), name="table_name"),
        Index("ix_integration_log_tenant_id_id", "tenant_id", "id"),
        Index("ix_integration_log_tenant_id_level_id", "tenant_id", "level", "id"),
        Index(
            "ix_integration_log_tenant_id_subject",
            "tenant_id",
            text("lower(subject)"),
            postgresql_where=text("subject IS NOT NULL"),
        ),
        Index("ix_integration_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    level: Mapped[LogLevel] = mapped_column(enum_column(LogLevel, 10))
    table_name: Mapped[LogTable | None] = mapped_column(enum_column(LogTable, 20))
    message: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    # The same in English for `Accept-Language: en` (null: only Dutch was written).
    message_en: Mapped[str | None] = mapped_column(Text)
    action_en: Mapped[str | None] = mapped_column(Text)
    # No foreign key: a log line outlives the work order it mentions (e.g. after a wipe).
    work_order_id: Mapped[int | None] = mapped_column(BigInteger)
    # The record code (customer number, article code) a line is about: `GET /logs?q=`.
    subject: Mapped[str | None] = mapped_column(Text)


class RompslompRequestBucket(Base):
    """One tenant's token bucket for requests to Rompslomp, shared by every worker replica
    (services/sync_worker/rompslomp/pacing.py). `tokens` may go below zero: a request that
    takes a token from an empty bucket waits until the refill has paid it back."""

    __tablename__ = "rompslomp_request_buckets"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # After a 429 the tenant runs at `slowed_rate` until `slowed_until`.
    slowed_rate: Mapped[float | None] = mapped_column(Float)
    slowed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
