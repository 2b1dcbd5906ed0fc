"""Forms the office designs (templates with typed questions) and the forms filled on work
orders. A template's questions are kept per version: a filled form keeps the version it was
filled with, so editing a template after it was used makes a new version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, Timestamps


class FormTemplate(Timestamps, Base):
    __tablename__ = "form_templates"
    __table_args__ = (Index("ix_form_templates_tenant_id_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    current_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A template that filled forms use is deactivated instead of deleted.
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class FormTemplateVersion(Timestamps, Base):
    """A template's name and questions as of one version; unchanged once a form is filled."""

    __tablename__ = "form_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("form_templates.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # [{key, label, type, required, options, on_invoice}], in the order they are asked;
    # `type` is a `shared.enums.QuestionType`.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)


class WorkOrderForm(Timestamps, Base):
    """A template attached to a work order, with the answers given so far."""

    __tablename__ = "work_order_forms"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    # A version that forms use is never deleted (the template is retired instead).
    template_version_id: Mapped[int] = mapped_column(
        ForeignKey("form_template_versions.id"), index=True
    )
    # {question key: value}: text, number (as a decimal string), yes_no (bool), choice (str),
    # multi_choice (list of str), date ("YYYY-MM-DD"). A missing key is unanswered.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
