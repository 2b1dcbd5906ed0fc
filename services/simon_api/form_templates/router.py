"""`/form-templates`: office keys design forms; every key may read them (to pick one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep
from services.simon_api.fields import PathId
from services.simon_api.form_templates import service
from services.simon_api.form_templates.schemas import TemplateCreate, TemplateOut, TemplateUpdate
from services.simon_api.pagination import Page, PageParams, page_params
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/form-templates", tags=["form_templates"], responses=PROBLEM_RESPONSES)
OFFICE = documented(403, "`office_only`: only office keys manage templates")


@router.get("", response_model=Page[TemplateOut])
async def list_form_templates(
    session: SessionDep,
    principal: PrincipalDep,
    params: Annotated[PageParams, Depends(page_params)],
    include_inactive: bool = False,
) -> Page[TemplateOut]:
    """Oldest first; deleted templates that filled forms still use only with
    `include_inactive`."""
    rows, cursor = await service.list_templates(
        session, principal.tenant_id, params, include_inactive=include_inactive
    )
    return Page(items=[service.template_out(*row) for row in rows], next_cursor=cursor)


@router.get("/{template_id}", response_model=TemplateOut)
async def get_form_template(
    session: SessionDep, principal: PrincipalDep, template_id: PathId
) -> TemplateOut:
    return service.template_out(
        *await service.get_template(session, principal.tenant_id, template_id)
    )


@router.post("", status_code=201, response_model=TemplateOut, responses=OFFICE)
async def create_form_template(
    session: SessionDep, principal: OfficeDep, body: TemplateCreate
) -> TemplateOut:
    template = await service.create_template(session, principal.tenant_id, body)
    out = service.template_out(*template)
    await session.commit()
    return out


@router.patch("/{template_id}", response_model=TemplateOut, responses=OFFICE)
async def update_form_template(
    session: SessionDep, principal: OfficeDep, template_id: PathId, body: TemplateUpdate
) -> TemplateOut:
    """Once a form has answers on the current version, the change makes a new version."""
    template = await service.update_template(session, principal.tenant_id, template_id, body)
    out = service.template_out(*template)
    await session.commit()
    return out


@router.delete(
    "/{template_id}",
    status_code=204,
    responses={**OFFICE, **documented(409, "`in_use`: forms use it; retire it (PATCH active)")},
)
async def delete_form_template(
    session: SessionDep, principal: OfficeDep, template_id: PathId
) -> Response:
    """Deletes an unused template; one that forms use is retired with PATCH instead."""
    await service.delete_template(session, principal.tenant_id, template_id)
    await session.commit()
    return Response(status_code=204)
