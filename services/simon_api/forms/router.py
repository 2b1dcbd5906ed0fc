"""`/work-orders/{id}/forms`: office and field keys attach forms and save answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.simon_api.deps import PrincipalDep, SessionDep
from services.simon_api.fields import PathId
from services.simon_api.forms import service
from services.simon_api.forms.schemas import FormAnswers, FormAttach, FormOut
from services.simon_api.pagination import Page, PageParams, page_params
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/work-orders", tags=["work_order_forms"], responses=PROBLEM_RESPONSES)
EDIT = {
    **documented(409, "`work_order_archived`: archived work orders are read-only"),
    **documented(403, "`office_only`: completed; only the office corrects"),
}


@router.get("/{work_order_id}/forms", response_model=Page[FormOut])
async def list_work_order_forms(
    session: SessionDep,
    principal: PrincipalDep,
    work_order_id: PathId,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[FormOut]:
    """In the order they were added."""
    rows, cursor = await service.list_forms(session, principal, work_order_id, params)
    return Page(items=[service.form_out(*row) for row in rows], next_cursor=cursor)


@router.post("/{work_order_id}/forms", status_code=201, response_model=FormOut, responses=EDIT)
async def attach_form(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, body: FormAttach
) -> FormOut:
    """Adds the template's current version as an empty form."""
    form = await service.attach_form(session, principal, work_order_id, body)
    out = service.form_out(*form)
    await session.commit()
    return out


@router.get("/{work_order_id}/forms/{form_id}", response_model=FormOut)
async def get_work_order_form(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, form_id: PathId
) -> FormOut:
    _, form = await service.get_form(session, principal, work_order_id, form_id)
    return service.form_out(*form)


@router.put(
    "/{work_order_id}/forms/{form_id}",
    response_model=FormOut,
    responses={
        **EDIT,
        **documented(422, "`invalid_answer`: each bad answer named `answers.<question key>`"),
    },
)
async def save_form_answers(
    session: SessionDep,
    principal: PrincipalDep,
    work_order_id: PathId,
    form_id: PathId,
    body: FormAnswers,
) -> FormOut:
    """Saves the answers sent (partial saves are fine until completion); `null` clears one."""
    form = await service.save_answers(session, principal, work_order_id, form_id, body)
    out = service.form_out(*form)
    await session.commit()
    return out


@router.delete("/{work_order_id}/forms/{form_id}", status_code=204, responses=EDIT)
async def remove_form(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, form_id: PathId
) -> Response:
    await service.remove_form(session, principal, work_order_id, form_id)
    await session.commit()
    return Response(status_code=204)
