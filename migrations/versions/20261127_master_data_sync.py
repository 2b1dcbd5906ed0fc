"""master-data sync: content hashes, deletion guard (filled by the sync issue #5)

Revision ID: f6b1d2e3c4a5
Revises: e5a0c1d2b3f4
Create Date: 2026-11-27

- `customers.content_hash`, `articles.content_hash`: the hash of what Rompslomp last sent,
  so an unchanged record costs no write (DESIGN flow 2);
- one Rompslomp-led work address per customer (partial unique index: the upsert's target);
- `sync_runs`: the run's counts (added, changed, deactivated, removed) and attempts;
- `sync_states`: per tenant × entity the cadence bookkeeping (last probe, last complete
  listing) and deletions held back by the mass-deletion guard until a person confirms.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f6b1d2e3c4a5"
down_revision: str | None = "e5a0c1d2b3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_COUNTS = ("added", "changed", "deactivated", "removed", "attempts")


def upgrade() -> None:
    op.add_column("customers", sa.Column("content_hash", sa.String(length=32), nullable=True))
    op.add_column("articles", sa.Column("content_hash", sa.String(length=32), nullable=True))
    op.create_index(
        "uq_work_addresses_rompslomp_customer",
        "work_addresses",
        ["customer_id"],
        unique=True,
        postgresql_where=sa.text("source = 'rompslomp'"),
    )
    for name in RUN_COUNTS:
        op.add_column(
            "sync_runs", sa.Column(name, sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "sync_states",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("probe_total", sa.Integer(), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed_total", sa.Integer(), nullable=True),
        sa.Column("pending_deletions", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "entity IN ('customers', 'articles')", name=op.f("ck_sync_states_entity")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sync_states_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "entity", name=op.f("pk_sync_states")),
    )


def downgrade() -> None:
    op.drop_table("sync_states")
    for name in reversed(RUN_COUNTS):
        op.drop_column("sync_runs", name)
    op.drop_index("uq_work_addresses_rompslomp_customer", table_name="work_addresses")
    op.drop_column("articles", "content_hash")
    op.drop_column("customers", "content_hash")
