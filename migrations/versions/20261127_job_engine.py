"""job engine: procrastinate's schema (3.10.0) through Alembic; the log in English

Revision ID: e5a0c1d2b3f4
Revises: db3a833438a3
Create Date: 2026-11-27

DESIGN D1: procrastinate keeps its jobs, workers, periodic defers and events in our one
database, so its schema lives in our one Alembic history rather than in
`procrastinate schema --apply`. The SQL is procrastinate's own `schema.sql` of the pinned
version, vendored in migrations/sql/ so this revision never changes under us. Upgrading
procrastinate = a new revision that runs the package's files from
`procrastinate/sql/migrations/` between the two versions.

Also: `integration_log.message_en` / `action_en`, the English text of an entry for
`GET /logs` with `Accept-Language: en` (R-LOG).
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import await_only

revision: str = "e5a0c1d2b3f4"
down_revision: str | None = "db3a833438a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).resolve().parents[1] / "sql" / "procrastinate_3.10.0.sql"


def _run_script(sql: str) -> None:
    """Run a multi-statement script ($$-quoted function bodies included) as one simple
    query on the driver connection, inside Alembic's transaction."""
    driver = op.get_bind().connection.dbapi_connection.driver_connection  # type: ignore[union-attr]
    await_only(driver.execute(sql))


def upgrade() -> None:
    _run_script(SCHEMA.read_text())
    op.add_column("integration_log", sa.Column("message_en", sa.Text(), nullable=True))
    op.add_column("integration_log", sa.Column("action_en", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("integration_log", "action_en")
    op.drop_column("integration_log", "message_en")
    _run_script(
        """
        DO $$
        DECLARE item record;
        BEGIN
            FOR item IN SELECT tablename FROM pg_tables
                        WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
            END LOOP;
            FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
            END LOOP;
            FOR item IN SELECT t.typname FROM pg_type t
                        JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                          AND t.typtype IN ('e', 'c')
            LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
            END LOOP;
        END $$;
        """
    )
