from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.simon_api.customers import service
from services.simon_api.customers.schemas import CustomerCreate, CustomerOut, CustomerUpdate
from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep
from services.simon_api.fields import PathId, SearchText
from services.simon_api.pagination import Page, PageParams, page_params
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/customers", tags=["customers"], responses=PROBLEM_RESPONSES)
MANAGED = documented(409, "`managed_by_rompslomp` or `in_use`")


@router.get("", response_model=Page[CustomerOut])
async def list_customers(
    session: SessionDep,
    principal: PrincipalDep,
    params: Annotated[PageParams, Depends(page_params)],
    q: Annotated[SearchText | None, Query(description="Name, number, city or e-mail")] = None,
    include_inactive: bool = False,
) -> Page[CustomerOut]:
    rows, cursor = await service.list_customers(
        session, principal.tenant_id, params, q=q, include_inactive=include_inactive
    )
    return Page(items=[CustomerOut.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/{customer_id}", response_model=CustomerOut)
async def get_customer(
    session: SessionDep, principal: PrincipalDep, customer_id: PathId
) -> CustomerOut:
    customer = await service.get_customer(session, principal.tenant_id, customer_id)
    return CustomerOut.model_validate(customer)


@router.post("", status_code=201, response_model=CustomerOut, responses=MANAGED)
async def create_customer(
    session: SessionDep, principal: OfficeDep, body: CustomerCreate
) -> CustomerOut:
    customer = await service.create_customer(session, principal.tenant_id, body)
    await session.commit()
    return CustomerOut.model_validate(customer)


@router.patch("/{customer_id}", response_model=CustomerOut, responses=MANAGED)
async def update_customer(
    session: SessionDep, principal: OfficeDep, customer_id: PathId, body: CustomerUpdate
) -> CustomerOut:
    customer = await service.update_customer(session, principal.tenant_id, customer_id, body)
    await session.commit()
    return CustomerOut.model_validate(customer)


@router.delete("/{customer_id}", status_code=204, responses=MANAGED)
async def delete_customer(
    session: SessionDep, principal: OfficeDep, customer_id: PathId
) -> Response:
    await service.delete_customer(session, principal.tenant_id, customer_id)
    await session.commit()
    return Response(status_code=204)
