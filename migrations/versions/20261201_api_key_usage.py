"""api keys: when a key was last used (issue #14)

Revision ID: 3f9c1a7e5b20
Revises: 789a2052c27a
Create Date: 2026-12-01

`last_used_at` is written by authentication at most once a minute per key, so a company can
see which keys are still in use before it revokes one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9c1a7e5b20"
down_revision: str | None = "789a2052c27a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("api_keys", "last_used_at")
