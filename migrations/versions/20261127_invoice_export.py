"""invoice export: export rows for exactly-once sending (filled by the export issue #6)

Revision ID: a7c2e3f4d5b6
Revises: f6b1d2e3c4a5
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "a7c2e3f4d5b6"
down_revision: str | None = "f6b1d2e3c4a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
