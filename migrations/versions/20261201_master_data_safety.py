"""master data that never loses Simon's data (issue 11)

Revision ID: 5aaa057e11f2
Revises: 5124ca61128b
Create Date: 2026-12-01

- customers' and work addresses' text columns without lengths (Rompslomp has none), article
  prices and VAT rates with 6 decimals (a price keeps its 10 integer digits: Simon's money);
- `sync_runs.skipped`: records a run could not store (logged, counted as seen);
- `sync_states.repair_pending` (the next full listing compares values, not hashes, so edits
  made in Simon while the integration was off are restored) and `sync_states.skipped` (the
  records skipped last time, so a record that stays bad is logged once, not every run);
- `integration_settings.switch_from_*`: an administration switch waiting to be carried out;
- `integration_log.subject` (the record code or work order number a line is about, for
  `GET /logs?q=`) and an index on `at` for the daily retention;
- `rompslomp_request_buckets`: one token bucket per tenant, shared by every worker replica.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5aaa057e11f2"
down_revision: str | None = "5124ca61128b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOMER_TEXT = {
    "number": 50,
    "name": 200,
    "address": 200,
    "zipcode": 20,
    "city": 100,
    "country_code": 2,
    "email": 320,
    "phone": 50,
}
WORK_ADDRESS_TEXT = {"street": 200, "zipcode": 20, "city": 100, "country_code": 2}


def upgrade() -> None:
    for column in CUSTOMER_TEXT:
        op.alter_column("customers", column, type_=sa.Text())
    for column in WORK_ADDRESS_TEXT:
        op.alter_column("work_addresses", column, type_=sa.Text())
    op.alter_column("articles", "price", type_=sa.Numeric(16, 6))
    op.alter_column("articles", "vat_rate", type_=sa.Numeric(7, 6))

    op.add_column(
        "sync_runs", sa.Column("skipped", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "sync_states",
        sa.Column("repair_pending", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "sync_states", sa.Column("skipped", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    # Tenants that are off now may have edited Rompslomp-led rows meanwhile.
    op.execute(
        "UPDATE sync_states s SET repair_pending = true FROM integrations i "
        "WHERE i.tenant_id = s.tenant_id AND i.state <> 'active'"
    )
    op.add_column(
        "integration_settings",
        sa.Column("switch_from_administration_id", sa.BigInteger(), nullable=True),
    )
    op.add_column(
        "integration_settings",
        sa.Column("switch_from_administration_name", sa.Text(), nullable=True),
    )
    op.add_column(
        "integration_settings",
        sa.Column("switch_requested_at", sa.DateTime(timezone=True), nullable=True),
    )

    op.add_column("integration_log", sa.Column("subject", sa.Text(), nullable=True))
    op.create_index(
        "ix_integration_log_tenant_id_subject",
        "integration_log",
        ["tenant_id", sa.text("lower(subject)")],
        postgresql_where=sa.text("subject IS NOT NULL"),
    )
    op.create_index("ix_integration_log_at", "integration_log", ["at"])

    op.create_table(
        "rompslomp_request_buckets",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slowed_rate", sa.Float(), nullable=True),
        sa.Column("slowed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_rompslomp_request_buckets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_rompslomp_request_buckets")),
    )


def downgrade() -> None:
    op.drop_table("rompslomp_request_buckets")
    op.drop_index("ix_integration_log_at", table_name="integration_log")
    op.drop_index("ix_integration_log_tenant_id_subject", table_name="integration_log")
    op.drop_column("integration_log", "subject")
    op.drop_column("integration_settings", "switch_requested_at")
    op.drop_column("integration_settings", "switch_from_administration_name")
    op.drop_column("integration_settings", "switch_from_administration_id")
    op.drop_column("sync_states", "skipped")
    op.drop_column("sync_states", "repair_pending")
    op.drop_column("sync_runs", "skipped")
    # Values that outgrew the old sizes are cut back (or rounded) to fit them again.
    op.alter_column(
        "articles",
        "vat_rate",
        type_=sa.Numeric(6, 4),
        postgresql_using="least(vat_rate, 99.9999)::numeric(6, 4)",
    )
    op.alter_column(
        "articles",
        "price",
        type_=sa.Numeric(14, 4),
        postgresql_using="least(price, 9999999999.9999)::numeric(14, 4)",
    )
    for column, size in WORK_ADDRESS_TEXT.items():
        op.alter_column(
            "work_addresses",
            column,
            type_=sa.String(size),
            postgresql_using=f"left({column}, {size})",
        )
    for column, size in CUSTOMER_TEXT.items():
        op.alter_column(
            "customers", column, type_=sa.String(size), postgresql_using=f"left({column}, {size})"
        )
