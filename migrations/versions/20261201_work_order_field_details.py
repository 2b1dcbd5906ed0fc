"""work orders take a contact person, an object and the customer's signature

Revision ID: 5124ca61128b
Revises: 6c4832231e4b
Create Date: 2026-12-01

`contact_person_id` and `object_id` on work orders (SET NULL: the API refuses to delete one
a work order uses, but the wipe and the master-data cleanup remove a customer's records
wholesale); `work_order_signatures` (one PNG per work order). The API view (migration
20261127_work_order_api_view) gains both ids and the signature's name and time, and is
refreshed when a signature changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5124ca61128b"
down_revision: str | None = "6c4832231e4b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\''
LINES = """
    'time_entries', coalesce((
        SELECT json_agg(json_build_object(
                 'id', t.id, 'kind', t.kind, 'minutes', t.minutes,
                 'employee_id', t.employee_id, 'date', t.date) ORDER BY t.id)
          FROM time_entries t WHERE t.work_order_id = w.id), '[]'::json),
    'materials', coalesce((
        SELECT json_agg(json_build_object(
                 'id', m.id, 'article_id', m.article_id,
                 'quantity', trim_scale(m.quantity)::text,
                 'unit_price', CASE WHEN scale(trim_scale(m.unit_price)) < 2
                                    THEN round(m.unit_price, 2)::text
                                    ELSE trim_scale(m.unit_price)::text END) ORDER BY m.id)
          FROM materials m WHERE m.work_order_id = w.id), '[]'::json),
"""
TIMES = f"""
    'completed_at', to_char(w.completed_at AT TIME ZONE 'UTC', {STAMP}),
    'archived_at', to_char(w.archived_at AT TIME ZONE 'UTC', {STAMP}),
    'created_at', to_char(w.created_at AT TIME ZONE 'UTC', {STAMP})
"""
RENDER = """
CREATE OR REPLACE FUNCTION work_order_api_view(work_order_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', w.id, 'number', w.number, 'status', w.status, 'customer_id', w.customer_id,
    'work_address_id', w.work_address_id, {details}'description', w.description,
    'assignee_id', w.assignee_id, 'planned_date', w.planned_date,
    {lines}{signature}{times}
  )::text
  FROM work_orders w WHERE w.id = work_order_id
$$;
"""
DETAILS = "'contact_person_id', w.contact_person_id, 'object_id', w.object_id,\n    "
SIGNATURE = """'signature', (
        SELECT json_build_object(
                 'name', s.name,
                 'signed_at', to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
          FROM work_order_signatures s WHERE s.work_order_id = w.id),
"""

# The trigger on work_orders fires on every column but api_view itself (its own UPDATE).
BEFORE_COLUMNS = (
    "number, status, customer_id, work_address_id, description, assignee_id, planned_date, "
    "completed_at, archived_at, created_at"
)
AFTER_COLUMNS = BEFORE_COLUMNS + ", contact_person_id, object_id"


def _work_order_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER work_orders_api_view ON work_orders")
    op.execute(
        f"CREATE TRIGGER work_orders_api_view AFTER INSERT OR UPDATE OF {columns} ON work_orders "
        "FOR EACH ROW EXECUTE FUNCTION work_orders_refresh_api_view()"
    )


def upgrade() -> None:
    for column, table in (("contact_person_id", "contact_persons"), ("object_id", "objects")):
        op.add_column("work_orders", sa.Column(column, sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            f"fk_work_orders_{column}_{table}",
            "work_orders",
            table,
            [column],
            ["id"],
            ondelete="SET NULL",
        )
        op.create_index(f"ix_work_orders_{column}", "work_orders", [column])
    op.create_table(
        "work_order_signatures",
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by_id", sa.BigInteger(), nullable=True),
        *[
            sa.Column(
                name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
            )
            for name in ("created_at", "updated_at")
        ],
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name="fk_work_order_signatures_work_order_id_work_orders",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_work_order_signatures_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["employees.id"],
            name="fk_work_order_signatures_signed_by_id_employees",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("work_order_id", name="pk_work_order_signatures"),
    )
    op.create_index("ix_work_order_signatures_tenant_id", "work_order_signatures", ["tenant_id"])
    op.create_index(
        "ix_work_order_signatures_signed_by_id", "work_order_signatures", ["signed_by_id"]
    )
    op.execute(
        RENDER.format(details=DETAILS, lines=LINES.lstrip(), signature=SIGNATURE, times=TIMES)
    )
    _work_order_trigger(AFTER_COLUMNS)
    # The lines' trigger function refreshes the work order named by `work_order_id`.
    op.execute(
        "CREATE TRIGGER work_order_signatures_api_view "
        "AFTER INSERT OR UPDATE OR DELETE ON work_order_signatures "
        "FOR EACH ROW EXECUTE FUNCTION work_order_lines_refresh_api_view()"
    )
    op.execute("UPDATE work_orders SET api_view = work_order_api_view(id)")


def downgrade() -> None:
    op.execute("DROP TRIGGER work_order_signatures_api_view ON work_order_signatures")
    _work_order_trigger(BEFORE_COLUMNS)
    op.execute(RENDER.format(details="", lines=LINES.lstrip(), signature="", times=TIMES))
    op.drop_table("work_order_signatures")
    for column, table in (("object_id", "objects"), ("contact_person_id", "contact_persons")):
        op.drop_index(f"ix_work_orders_{column}", table_name="work_orders")
        op.drop_constraint(f"fk_work_orders_{column}_{table}", "work_orders", type_="foreignkey")
        op.drop_column("work_orders", column)
    op.execute("UPDATE work_orders SET api_view = work_order_api_view(id)")
