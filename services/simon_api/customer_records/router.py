"""`/work-addresses`, `/contact-persons` and `/objects`: the same five operations each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from services.simon_api.customer_records import service
from services.simon_api.customer_records.schemas import (
    ContactPersonCreate,
    ContactPersonOut,
    ContactPersonUpdate,
    ObjectCreate,
    ObjectOut,
    ObjectUpdate,
    WorkAddressCreate,
    WorkAddressOut,
    WorkAddressUpdate,
)
from services.simon_api.deps import PrincipalDep, SessionDep
from services.simon_api.fields import MAX_ID, PathId
from services.simon_api.pagination import Page, PageParams, page_params
from shared.problems import PROBLEM_RESPONSES, documented

IN_USE = documented(409, "`in_use`: work orders refer to it")


def build_router(
    prefix: str,
    tag: str,
    kind: service.RecordKind,
    create: type[BaseModel],
    update: type[BaseModel],
    out: type[BaseModel],
) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=[tag], responses=PROBLEM_RESPONSES)

    @router.get("", response_model=Page[out], name=f"list_{tag}")  # type: ignore[valid-type]
    async def list_records(
        session: SessionDep,
        principal: PrincipalDep,
        params: Annotated[PageParams, Depends(page_params)],
        customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> Any:
        rows, cursor = await service.list_records(
            session, kind, principal.tenant_id, params, customer_id=customer_id
        )
        return {"items": [out.model_validate(r) for r in rows], "next_cursor": cursor}

    @router.get("/{record_id}", response_model=out, name=f"get_{tag}")
    async def get_record(session: SessionDep, principal: PrincipalDep, record_id: PathId) -> Any:
        return out.model_validate(
            await service.get_record(session, kind, principal.tenant_id, record_id)
        )

    async def create_record(session: SessionDep, principal: PrincipalDep, body: Any) -> Any:
        record = await service.create_record(session, kind, principal.tenant_id, body)
        await session.commit()
        return out.model_validate(record)

    create_record.__annotations__["body"] = create
    router.add_api_route(
        "",
        create_record,
        methods=["POST"],
        status_code=201,
        response_model=out,
        name=f"create_{tag}",
    )

    async def update_record(
        session: SessionDep, principal: PrincipalDep, record_id: PathId, body: Any
    ) -> Any:
        record = await service.update_record(session, kind, principal.tenant_id, record_id, body)
        await session.commit()
        return out.model_validate(record)

    update_record.__annotations__["body"] = update
    router.add_api_route(
        "/{record_id}",
        update_record,
        methods=["PATCH"],
        response_model=out,
        name=f"update_{tag}",
    )

    @router.delete("/{record_id}", status_code=204, responses=IN_USE, name=f"delete_{tag}")
    async def delete_record(
        session: SessionDep, principal: PrincipalDep, record_id: PathId
    ) -> Response:
        await service.delete_record(session, kind, principal.tenant_id, record_id)
        await session.commit()
        return Response(status_code=204)

    return router


work_addresses = build_router(
    "/work-addresses",
    "work_addresses",
    service.WORK_ADDRESS,
    WorkAddressCreate,
    WorkAddressUpdate,
    WorkAddressOut,
)
contact_persons = build_router(
    "/contact-persons",
    "contact_persons",
    service.CONTACT_PERSON,
    ContactPersonCreate,
    ContactPersonUpdate,
    ContactPersonOut,
)
objects = build_router("/objects", "objects", service.OBJECT, ObjectCreate, ObjectUpdate, ObjectOut)
