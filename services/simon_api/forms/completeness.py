"""A work order is completed only with every required question of its forms answered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.forms.answers import missing_keys
from shared.models import FormTemplateVersion, WorkOrder, WorkOrderForm
from shared.problems import Conflict, FieldProblem


async def ensure_forms_complete(session: AsyncSession, work_order: WorkOrder) -> None:
    """409 `form_incomplete`; `errors` lists each missing question key (`field`) with the
    form it is on."""
    rows = (
        await session.execute(
            select(WorkOrderForm.id, WorkOrderForm.answers, FormTemplateVersion)
            .join(FormTemplateVersion, FormTemplateVersion.id == WorkOrderForm.template_version_id)
            .where(
                WorkOrderForm.work_order_id == work_order.id,
                WorkOrderForm.tenant_id == work_order.tenant_id,
            )
            .order_by(WorkOrderForm.id)
        )
    ).all()
    problems = [
        FieldProblem(
            field=key,
            message=f"Required question on form {form_id} ({version.name}) is unanswered",
        )
        for form_id, answers, version in rows
        for key in missing_keys(version.questions, answers)
    ]
    if problems:
        keys = ", ".join(dict.fromkeys(problem.field for problem in problems))
        raise Conflict(
            f"Work order {work_order.number} has required questions without an answer: {keys}.",
            code="form_incomplete",
            errors=problems,
        )
