"""invoice export: what exactly-once sending needs on `invoice_exports` (issue #6)

Revision ID: a7c2e3f4d5b6
Revises: f6b1d2e3c4a5
Create Date: 2026-11-27

The event being exported (id, archive sequence, archive time for the latency metric), the
administration and invoice of the POST in flight (reconciled by `api_reference` after a
crash or an ambiguous answer), attempts, the last error, when it was sent; indexes for the
tenant's listing and for finding unfinished exports.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a7c2e3f4d5b6"
down_revision: str | None = "f6b1d2e3c4a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "invoice_exports"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("event_id", sa.BigInteger(), nullable=True))
    op.add_column(TABLE, sa.Column("archive_seq", sa.Integer(), server_default="1", nullable=False))
    op.add_column(TABLE, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(TABLE, sa.Column("administration_id", sa.BigInteger(), nullable=True))
    op.add_column(
        TABLE, sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(TABLE, sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column(TABLE, sa.Column("last_error", sa.Text(), nullable=True))
    op.add_column(TABLE, sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_invoice_exports_tenant_id_id", TABLE, ["tenant_id", "id"], unique=False)
    op.create_index(
        "ix_invoice_exports_status_updated_at", TABLE, ["status", "updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_invoice_exports_status_updated_at", table_name=TABLE)
    op.drop_index("ix_invoice_exports_tenant_id_id", table_name=TABLE)
    for column in (
        "sent_at",
        "last_error",
        "attempts",
        "payload",
        "administration_id",
        "archived_at",
        "archive_seq",
        "event_id",
    ):
        op.drop_column(TABLE, column)
