"""invoice export: the `removed` status, the POST lease and the settle time (issue #10)

Revision ID: 789a2052c27a
Revises: 5aaa057e11f2
Create Date: 2026-12-01

`removed`: a sent concept invoice that was deleted in Rompslomp (reopen is allowed again).
`sending_since`: the lease of a POST in flight (another worker takes over only after it).
`settle_after`: when an ambiguous POST may be looked up (Rompslomp can no longer be working
on it). The status lists are written out here, as they were at this revision: the model's
CHECK follows `shared.export_status.ExportStatus`, a test keeps the two equal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "789a2052c27a"
down_revision: str | None = "5aaa057e11f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "invoice_exports"
CHECK = "ck_invoice_exports_status"
BEFORE = "status IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'skipped')"
AFTER = "status IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'skipped', 'removed')"


def upgrade() -> None:
    op.drop_constraint(op.f(CHECK), TABLE, type_="check")
    op.create_check_constraint(op.f(CHECK), TABLE, AFTER)
    op.add_column(TABLE, sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column(TABLE, sa.Column("settle_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column(TABLE, "settle_after")
    op.drop_column(TABLE, "sending_since")
    # A removed export is, for the older code, a failed one (reopen allowed, nothing in
    # Rompslomp).
    op.execute(f"UPDATE {TABLE} SET status = 'failed' WHERE status = 'removed'")  # noqa: S608
    op.drop_constraint(op.f(CHECK), TABLE, type_="check")
    op.create_check_constraint(op.f(CHECK), TABLE, BEFORE)
