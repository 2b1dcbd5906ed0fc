"""integration wizard: connection, OAuth states, settings (+ history), sync runs, log

Revision ID: db3a833438a3
Revises: b1f0c2a7d9e4
Create Date: 2026-11-27

The activation wizard's tables (R-SETUP), the status screen's sync runs (R-SYNC-4), the
integration log (R-LOG-1), and the wizard's progress on `integrations`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "db3a833438a3"
down_revision: str | None = "b1f0c2a7d9e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integration_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("table_name", sa.String(length=20), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "level IN ('info', 'warning', 'error')", name=op.f("ck_integration_log_level")
        ),
        sa.CheckConstraint(
            "table_name IN ('work_order', 'customer', 'work_address', 'article', 'article_group')",
            name=op.f("ck_integration_log_table_name"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_integration_log_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_log")),
    )
    op.create_index(
        "ix_integration_log_tenant_id_id", "integration_log", ["tenant_id", "id"], unique=False
    )
    op.create_index(
        "ix_integration_log_tenant_id_level_id",
        "integration_log",
        ["tenant_id", "level", "id"],
        unique=False,
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("entity IN ('customers', 'articles')", name=op.f("ck_sync_runs_entity")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed', 'cancelled')",
            name=op.f("ck_sync_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sync_runs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index("ix_sync_runs_tenant_id_id", "sync_runs", ["tenant_id", "id"], unique=False)
    op.create_table(
        "integration_settings",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("administration_id", sa.BigInteger(), nullable=False),
        sa.Column("administration_name", sa.String(length=200), nullable=True),
        sa.Column("work_time_product", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("travel_time_product", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("standard_product", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("description_as_first_line", sa.Boolean(), nullable=False),
        sa.Column("filter_word", sa.String(length=100), nullable=True),
        sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms_accepted_by", sa.BigInteger(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["saved_by"],
            ["employees.id"],
            name=op.f("fk_integration_settings_saved_by_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_integration_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["terms_accepted_by"],
            ["employees.id"],
            name=op.f("fk_integration_settings_terms_accepted_by_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_integration_settings")),
    )
    op.create_table(
        "integration_settings_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.BigInteger(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_by"],
            ["employees.id"],
            name=op.f("fk_integration_settings_history_saved_by_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_integration_settings_history_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_settings_history")),
    )
    op.create_index(
        "ix_integration_settings_history_tenant_saved",
        "integration_settings_history",
        ["tenant_id", "id"],
        unique=False,
    )
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=True),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("code_verifier_encrypted", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_oauth_states_employee_id_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_oauth_states_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    op.create_index(op.f("ix_oauth_states_tenant_id"), "oauth_states", ["tenant_id"], unique=False)
    op.create_table(
        "rompslomp_connections",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=False),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=True),
        sa.Column("connected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["connected_by"],
            ["employees.id"],
            name=op.f("fk_rompslomp_connections_connected_by_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_rompslomp_connections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_rompslomp_connections")),
    )
    op.add_column("integrations", sa.Column("wiped_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "integrations", sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "integrations", sa.Column("configured_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("integrations", "configured_at")
    op.drop_column("integrations", "connected_at")
    op.drop_column("integrations", "wiped_at")
    op.drop_table("rompslomp_connections")
    op.drop_index(op.f("ix_oauth_states_tenant_id"), table_name="oauth_states")
    op.drop_table("oauth_states")
    op.drop_index(
        "ix_integration_settings_history_tenant_saved", table_name="integration_settings_history"
    )
    op.drop_table("integration_settings_history")
    op.drop_table("integration_settings")
    op.drop_index("ix_sync_runs_tenant_id_id", table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_integration_log_tenant_id_level_id", table_name="integration_log")
    op.drop_index("ix_integration_log_tenant_id_id", table_name="integration_log")
    op.drop_table("integration_log")
