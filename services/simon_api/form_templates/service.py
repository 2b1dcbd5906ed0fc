"""Form templates and their versions.

A template's name and questions are kept per version. Editing changes the current version
in place while no form has answers on it (nor sits on an archived work order); otherwise
the edit makes a new version, the filled forms keep theirs, and the not yet answered forms
of open work orders move along to the new one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.form_templates.schemas import (
    Question,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
    repeated_keys,
)
from services.simon_api.lookups import get_owned
from services.simon_api.pagination import PageParams, keyset, page_of
from shared.enums import WorkOrderStatus
from shared.models import FormTemplate, FormTemplateVersion, WorkOrder, WorkOrderForm
from shared.problems import Conflict, InvalidInput

Template = tuple[FormTemplate, FormTemplateVersion]
NO_ANSWERS: dict[str, Any] = {}


def template_out(template: FormTemplate, version: FormTemplateVersion) -> TemplateOut:
    return TemplateOut.model_validate(
        {
            "id": template.id,
            "name": version.name,
            "version": version.version,
            "questions": version.questions,
            "active": template.active,
            "created_at": template.created_at,
            "updated_at": max(template.updated_at, version.updated_at),
        }
    )


def _current() -> Any:
    return select(FormTemplate, FormTemplateVersion).join(
        FormTemplateVersion,
        (FormTemplateVersion.template_id == FormTemplate.id)
        & (FormTemplateVersion.version == FormTemplate.current_version),
    )


async def list_templates(
    session: AsyncSession, tenant_id: int, params: PageParams, *, include_inactive: bool
) -> tuple[list[Template], str | None]:
    statement = _current().where(FormTemplate.tenant_id == tenant_id)
    if not include_inactive:
        statement = statement.where(FormTemplate.active)
    rows = [(t, v) for t, v in (await session.execute(keyset(statement, FormTemplate.id, params)))]
    return page_of(rows, params, lambda row: row[0].id)


async def get_template(
    session: AsyncSession, tenant_id: int, template_id: int, *, for_update: bool = False
) -> Template:
    if for_update:
        # Serialises edits and deletion with each other and with forms being attached.
        await session.execute(
            select(FormTemplate.id)
            .where(FormTemplate.id == template_id, FormTemplate.tenant_id == tenant_id)
            .with_for_update()
        )
    template = await get_owned(session, FormTemplate, tenant_id, template_id, label="Form template")
    statement = select(FormTemplateVersion).where(
        FormTemplateVersion.template_id == template.id,
        FormTemplateVersion.version == template.current_version,
    )
    if for_update:
        # And with answers being saved on this version (they share it).
        statement = statement.with_for_update()
    return template, (await session.execute(statement)).scalar_one()


async def attachable_version(
    session: AsyncSession, tenant_id: int, template_id: int
) -> FormTemplateVersion:
    """The version a new form gets; an unknown or retired template is a 422 on
    `template_id`."""
    found = (
        await session.execute(
            _current()
            .where(FormTemplate.id == template_id, FormTemplate.tenant_id == tenant_id)
            .with_for_update(of=FormTemplate, read=True)
        )
    ).one_or_none()
    if found is None:
        raise InvalidInput(
            "template_id", f"Unknown form template {template_id}", code="unknown_reference"
        )
    template, version = found
    if not template.active:
        raise InvalidInput(
            "template_id",
            f"Form template {template_id} was deleted",
            code="inactive_reference",
        )
    version_row: FormTemplateVersion = version
    return version_row


def _require_unique_keys(questions: list[Question]) -> None:
    doubles = repeated_keys(questions)
    if doubles:
        raise InvalidInput(
            "questions",
            f"Question keys must be unique; repeated: {', '.join(doubles)}",
            code="duplicate_question_key",
        )


async def create_template(session: AsyncSession, tenant_id: int, data: TemplateCreate) -> Template:
    _require_unique_keys(data.questions)
    template = FormTemplate(tenant_id=tenant_id, current_version=1, active=True)
    session.add(template)
    await session.flush()
    version = FormTemplateVersion(
        tenant_id=tenant_id,
        template_id=template.id,
        version=1,
        name=data.name,
        questions=[question.model_dump() for question in data.questions],
    )
    session.add(version)
    await session.flush()
    await session.refresh(template, ["created_at", "updated_at"])
    await session.refresh(version, ["updated_at"])
    return template, version


async def _in_use(session: AsyncSession, version: FormTemplateVersion) -> bool:
    """A version is fixed once a form has answers on it, or sits on an archived work order
    (read-only, whether answered or not)."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    WorkOrderForm.template_version_id == version.id,
                    WorkOrder.id == WorkOrderForm.work_order_id,
                    (WorkOrderForm.answers != NO_ANSWERS)
                    | (WorkOrder.status == WorkOrderStatus.ARCHIVED),
                )
            )
        )
    )


async def update_template(
    session: AsyncSession, tenant_id: int, template_id: int, data: TemplateUpdate
) -> Template:
    if data.questions is not None:
        _require_unique_keys(data.questions)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "questions"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "May not be null")
    template, version = await get_template(session, tenant_id, template_id, for_update=True)
    if "active" in changes:
        template.active = changes.pop("active")
        await session.flush()
        await session.refresh(template, ["updated_at"])
    name = changes.get("name", version.name)
    questions = changes.get("questions", version.questions)
    if (name, questions) == (version.name, version.questions):
        return template, version
    if not await _in_use(session, version):
        version.name, version.questions = name, questions
        await session.flush()
        await session.refresh(version, ["updated_at"])
        return template, version
    newer = FormTemplateVersion(
        tenant_id=tenant_id,
        template_id=template.id,
        version=version.version + 1,
        name=name,
        questions=questions,
    )
    session.add(newer)
    template.current_version = newer.version
    await session.flush()
    await _move_unanswered_forms(session, template, newer)
    await session.refresh(template, ["updated_at"])
    await session.refresh(newer, ["updated_at"])
    return template, newer


async def _move_unanswered_forms(
    session: AsyncSession, template: FormTemplate, newer: FormTemplateVersion
) -> None:
    """Forms nobody has answered yet, on work orders not archived, ask the new questions."""
    older = select(FormTemplateVersion.id).where(
        FormTemplateVersion.template_id == template.id,
        FormTemplateVersion.id != newer.id,
    )
    open_orders = select(WorkOrder.id).where(
        WorkOrder.tenant_id == template.tenant_id, WorkOrder.status != WorkOrderStatus.ARCHIVED
    )
    await session.execute(
        update(WorkOrderForm)
        .where(
            WorkOrderForm.template_version_id.in_(older),
            WorkOrderForm.answers == NO_ANSWERS,
            WorkOrderForm.work_order_id.in_(open_orders),
        )
        .values(template_version_id=newer.id, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def delete_template(session: AsyncSession, tenant_id: int, template_id: int) -> None:
    """Deleted while no work order uses it. One that work orders use answers 409 `in_use`:
    a DELETE that answered 2xx must leave nothing behind, and those forms need their
    template's questions; it is retired instead with `PATCH {"active": false}` (no longer
    offered, the forms filled with it stay as they are)."""
    template, _ = await get_template(session, tenant_id, template_id, for_update=True)
    used = await session.scalar(
        select(
            exists().where(
                WorkOrderForm.template_version_id == FormTemplateVersion.id,
                FormTemplateVersion.template_id == template.id,
            )
        )
    )
    if used:
        raise Conflict(
            f"Forms on work orders use form template {template_id}: retire it with "
            'PATCH {"active": false} instead.',
            code="in_use",
        )
    await session.execute(delete(FormTemplate).where(FormTemplate.id == template.id))
