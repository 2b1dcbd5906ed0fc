"""Forms on a work order: attach a template, save answers, remove; only while the work
order is editable (archived: read-only; completed: the office corrects)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.form_templates.service import attachable_version
from services.simon_api.forms.answers import merge_answers, missing_keys
from services.simon_api.forms.schemas import FormAnswers, FormAttach, FormOut
from services.simon_api.pagination import PageParams, keyset, page_of
from services.simon_api.work_orders.service import ensure_editable, get_work_order
from shared.auth import Principal
from shared.models import FormTemplateVersion, WorkOrder, WorkOrderForm
from shared.problems import NotFound

Form = tuple[WorkOrderForm, FormTemplateVersion]


def form_out(form: WorkOrderForm, version: FormTemplateVersion) -> FormOut:
    missing = missing_keys(version.questions, form.answers)
    return FormOut.model_validate(
        {
            "id": form.id,
            "work_order_id": form.work_order_id,
            "template_id": version.template_id,
            "template_version": version.version,
            "name": version.name,
            "questions": version.questions,
            "answers": form.answers,
            "missing": missing,
            "complete": not missing,
            "created_at": form.created_at,
            "updated_at": form.updated_at,
        }
    )


def _forms_of(work_order: WorkOrder) -> Any:  # a Select of (form, version) rows
    return (
        select(WorkOrderForm, FormTemplateVersion)
        .join(FormTemplateVersion, FormTemplateVersion.id == WorkOrderForm.template_version_id)
        .where(
            WorkOrderForm.work_order_id == work_order.id,
            WorkOrderForm.tenant_id == work_order.tenant_id,
        )
    )


async def list_forms(
    session: AsyncSession, principal: Principal, work_order_id: int, params: PageParams
) -> tuple[list[Form], str | None]:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id)
    statement = keyset(_forms_of(work_order), WorkOrderForm.id, params)
    rows = [(form, version) for form, version in await session.execute(statement)]
    return page_of(rows, params, lambda row: row[0].id)


async def get_form(
    session: AsyncSession,
    principal: Principal,
    work_order_id: int,
    form_id: int,
    *,
    editable: bool = False,
) -> tuple[WorkOrder, Form]:
    work_order = await get_work_order(
        session, principal.tenant_id, work_order_id, for_update=editable
    )
    if editable:
        ensure_editable(work_order, principal)
    statement = _forms_of(work_order).where(WorkOrderForm.id == form_id)
    if editable:
        # The work order's lock serialises its forms; sharing the version's makes an edit
        # of the template wait for these answers (or these answers for the edit).
        statement = statement.with_for_update(of=FormTemplateVersion, read=True)
    found = (await session.execute(statement)).one_or_none()
    if found is None:
        raise NotFound(f"Form {form_id} is not on work order {work_order.number}.")
    return work_order, (found[0], found[1])


async def attach_form(
    session: AsyncSession, principal: Principal, work_order_id: int, data: FormAttach
) -> Form:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    ensure_editable(work_order, principal)
    version = await attachable_version(session, principal.tenant_id, data.template_id)
    form = WorkOrderForm(
        tenant_id=principal.tenant_id,
        work_order_id=work_order.id,
        template_version_id=version.id,
        answers={},
    )
    session.add(form)
    await session.flush()
    await session.refresh(form, ["created_at", "updated_at"])
    return form, version


async def save_answers(
    session: AsyncSession,
    principal: Principal,
    work_order_id: int,
    form_id: int,
    data: FormAnswers,
) -> Form:
    _, (form, version) = await get_form(session, principal, work_order_id, form_id, editable=True)
    form.answers = merge_answers(version.questions, form.answers, data.answers)
    await session.flush()
    await session.refresh(form, ["updated_at"])
    return form, version


async def remove_form(
    session: AsyncSession, principal: Principal, work_order_id: int, form_id: int
) -> None:
    _, (form, _) = await get_form(session, principal, work_order_id, form_id, editable=True)
    await session.execute(delete(WorkOrderForm).where(WorkOrderForm.id == form.id))
