"""a sync run's trigger and a work address's source get the CHECKs of their enums (issue 14)

Revision ID: b3376a515d0d
Revises: 3f9c1a7e5b20
Create Date: 2026-12-02

Every fixed set of values is a `StrEnum` in shared/ whose values make the column's CHECK
(tests/test_enums.py). These two columns had none: `sync_runs.trigger`
(`shared.enums.SyncTrigger`) and `work_addresses.source` (`shared.enums.RecordSource`, as on
customers and articles). The lists are written out as they are at this revision.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b3376a515d0d"
down_revision: str | None = "3f9c1a7e5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = (
    (
        "sync_runs",
        "trigger",
        "trigger IN ('initial', 'resume', 'manual', 'scheduled', 'probe', 'switch')",
    ),
    ("work_addresses", "source", "source IN ('rompslomp', 'simon')"),
)


def upgrade() -> None:
    for table, name, condition in CHECKS:
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition)


def downgrade() -> None:
    for table, name, _ in CHECKS:
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
