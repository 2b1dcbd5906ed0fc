"""master-data sync: content hashes, deletion guard (filled by the sync issue #5)

Revision ID: f6b1d2e3c4a5
Revises: e5a0c1d2b3f4
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "f6b1d2e3c4a5"
down_revision: str | None = "e5a0c1d2b3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
