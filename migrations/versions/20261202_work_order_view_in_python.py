"""the work order's API view is written from Python: the SQL function and triggers go

Revision ID: 7a9925acef51
Revises: b3376a515d0d
Create Date: 2026-12-02

`work_orders.api_view` stays (the list reads it, bench/api_list.py), but its JSON now has
one definition, `WorkOrderOut` (shared/work_order_view.py), which every writer applies in
its own transaction. The plpgsql function `work_order_api_view()` and the triggers that
kept the column (migrations 20261127_work_order_api_view and
20261201_work_order_field_details) are dropped. The stored views are left as they are: the
same JSON documents (`simon work-orders refresh-views` writes them again byte for byte).
The downgrade brings the function (as 20261201_work_order_field_details left it) and the
triggers back and renders every view with them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7a9925acef51"
down_revision: str | None = "b3376a515d0d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENDER = """
CREATE FUNCTION work_order_api_view(work_order_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', w.id, 'number', w.number, 'status', w.status, 'customer_id', w.customer_id,
    'work_address_id', w.work_address_id,
    'contact_person_id', w.contact_person_id, 'object_id', w.object_id,
    'description', w.description,
    'assignee_id', w.assignee_id, 'planned_date', w.planned_date,
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
    'signature', (
        SELECT json_build_object(
                 'name', s.name,
                 'signed_at', to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
          FROM work_order_signatures s WHERE s.work_order_id = w.id),
    'completed_at', to_char(w.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'archived_at', to_char(w.archived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'created_at', to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  )::text
  FROM work_orders w WHERE w.id = work_order_id
$$;
"""

ON_WORK_ORDER = """
CREATE FUNCTION work_orders_refresh_api_view() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE work_orders SET api_view = work_order_api_view(NEW.id) WHERE id = NEW.id;
  RETURN NULL;
END $$;
"""

ON_LINE = """
CREATE FUNCTION work_order_lines_refresh_api_view() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE work_orders SET api_view = work_order_api_view(OLD.work_order_id)
     WHERE id = OLD.work_order_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.work_order_id <> OLD.work_order_id) THEN
    UPDATE work_orders SET api_view = work_order_api_view(NEW.work_order_id)
     WHERE id = NEW.work_order_id;
  END IF;
  RETURN NULL;
END $$;
"""

# Every column but api_view itself, so the trigger's own UPDATE does not fire it again.
WORK_ORDER_COLUMNS = (
    "number, status, customer_id, work_address_id, description, assignee_id, planned_date, "
    "completed_at, archived_at, created_at, contact_person_id, object_id"
)
PARTS = ("time_entries", "materials", "work_order_signatures")


def upgrade() -> None:
    for table in PARTS:
        op.execute(f"DROP TRIGGER {table}_api_view ON {table}")
    op.execute("DROP TRIGGER work_orders_api_view ON work_orders")
    op.execute("DROP FUNCTION work_order_lines_refresh_api_view()")
    op.execute("DROP FUNCTION work_orders_refresh_api_view()")
    op.execute("DROP FUNCTION work_order_api_view(bigint)")


def downgrade() -> None:
    op.execute(RENDER)
    op.execute(ON_WORK_ORDER)
    op.execute(ON_LINE)
    op.execute(
        "CREATE TRIGGER work_orders_api_view AFTER INSERT OR UPDATE OF "
        f"{WORK_ORDER_COLUMNS} ON work_orders "
        "FOR EACH ROW EXECUTE FUNCTION work_orders_refresh_api_view()"
    )
    for table in PARTS:
        op.execute(
            f"CREATE TRIGGER {table}_api_view AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION work_order_lines_refresh_api_view()"
        )
    op.execute("UPDATE work_orders SET api_view = work_order_api_view(id)")
