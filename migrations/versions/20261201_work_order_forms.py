"""work order forms: templates with typed questions, versioned, and forms filled on work orders

Revision ID: 6c4832231e4b
Revises: 2c7305627f9f
Create Date: 2026-12-01

A template's name and questions live in `form_template_versions`; a form points at the
version it was filled with, so editing a template that has been filled makes a new version
and leaves the filled forms as they were (issue 13).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6c4832231e4b"
down_revision: str | None = "2c7305627f9f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _tenant(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "form_templates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("current_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        *_timestamps(),
        _tenant("form_templates"),
        sa.PrimaryKeyConstraint("id", name="pk_form_templates"),
    )
    op.create_index("ix_form_templates_tenant_id_id", "form_templates", ["tenant_id", "id"])
    op.create_table(
        "form_template_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        *_timestamps(),
        _tenant("form_template_versions"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["form_templates.id"],
            name="fk_form_template_versions_template_id_form_templates",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_form_template_versions"),
        sa.UniqueConstraint(
            "template_id", "version", name="uq_form_template_versions_template_id_version"
        ),
    )
    op.create_index("ix_form_template_versions_tenant_id", "form_template_versions", ["tenant_id"])
    op.create_index(
        "ix_form_template_versions_template_id", "form_template_versions", ["template_id"]
    )
    op.create_table(
        "work_order_forms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("template_version_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "answers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        *_timestamps(),
        _tenant("work_order_forms"),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name="fk_work_order_forms_work_order_id_work_orders",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["form_template_versions.id"],
            # NO ACTION, checked at the end of the statement: a tenant's deletion cascades to
            # its forms and template versions in one statement.
            name="fk_work_order_forms_template_version_id_form_template_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_work_order_forms"),
    )
    for column in ("tenant_id", "work_order_id", "template_version_id"):
        op.create_index(f"ix_work_order_forms_{column}", "work_order_forms", [column])


def downgrade() -> None:
    op.drop_table("work_order_forms")
    op.drop_table("form_template_versions")
    op.drop_table("form_templates")
