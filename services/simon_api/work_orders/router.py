from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep, reader_of
from services.simon_api.fields import MAX_ID, PathId
from services.simon_api.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    PageParams,
)
from services.simon_api.work_orders import lines, service
from services.simon_api.work_orders.schemas import (
    MaterialCreate,
    MaterialUpdate,
    TimeEntryCreate,
    TimeEntryUpdate,
    WorkOrderCreate,
    WorkOrderUpdate,
)
from services.simon_api.work_orders.views import render_one, render_page
from shared.enums import WorkOrderStatus
from shared.models import WorkOrder
from shared.problems import PROBLEM_RESPONSES, NotFound, documented
from shared.reader import SessionReader
from shared.work_order_view import MaterialOut, TimeEntryOut, WorkOrderOut, written_view

router = APIRouter(prefix="/work-orders", tags=["work_orders"], responses=PROBLEM_RESPONSES)


class JSONText(Response):
    media_type = "application/json"


async def _view(session: AsyncSession, work_order: WorkOrder, status: int = 200) -> JSONText:
    """Read the view the service wrote in the request's transaction, then commit: one
    transaction, one commit point."""
    body = written_view(session, work_order.id) or await render_one(
        SessionReader(session), work_order.tenant_id, work_order.id
    )
    assert body is not None
    await session.commit()
    return JSONText(body, status_code=status)


EDIT = {
    **documented(409, "`work_order_archived`: archived work orders are read-only"),
    **documented(403, "`office_only`: completed; only the office corrects"),
}


@router.get("", response_model=Page[WorkOrderOut])
async def list_work_orders(
    request: Request,
    principal: PrincipalDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    status: WorkOrderStatus | None = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> JSONText:
    """Newest first."""
    # A plainly valid request never gets here: `fast_list.WorkOrderListLane` answers it with
    # the same body, beneath the framework. This route answers the rest (and documents all).
    filters = {"status": status, "customer_id": customer_id, "assignee_id": assignee_id}
    params = PageParams(limit=limit, cursor=cursor)
    return JSONText(await render_page(reader_of(request), principal.tenant_id, params, filters))


@router.post("", status_code=201, response_model=WorkOrderOut)
async def create_work_order(
    session: SessionDep, principal: PrincipalDep, body: WorkOrderCreate
) -> JSONText:
    work_order = await service.create_work_order(session, principal, body)
    return await _view(session, work_order, status=201)


@router.get("/{work_order_id}", response_model=WorkOrderOut)
async def get_work_order(
    request: Request, principal: PrincipalDep, work_order_id: PathId
) -> JSONText:
    body = await render_one(reader_of(request), principal.tenant_id, work_order_id)
    if body is None:
        raise NotFound(f"Work order {work_order_id} does not exist.")
    return JSONText(body)


@router.patch("/{work_order_id}", response_model=WorkOrderOut, responses=EDIT)
async def update_work_order(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, body: WorkOrderUpdate
) -> JSONText:
    work_order = await service.update_work_order(session, principal, work_order_id, body)
    return await _view(session, work_order)


@router.post(
    "/{work_order_id}/complete",
    response_model=WorkOrderOut,
    responses=documented(409, "`not_planned`"),
)
async def complete_work_order(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId
) -> JSONText:
    """Complete a planned work order; a completed one is answered unchanged (safe to retry)."""
    work_order = await service.complete(session, principal, work_order_id)
    return await _view(session, work_order)


@router.post(
    "/{work_order_id}/archive",
    response_model=WorkOrderOut,
    responses=documented(409, "`not_completed`"),
)
async def archive_work_order(
    session: SessionDep, principal: OfficeDep, work_order_id: PathId
) -> JSONText:
    """Archive a completed work order; it is sent to Rompslomp as a concept invoice. An
    archived one is answered unchanged (safe to retry: no second invoice)."""
    work_order = await service.archive(session, principal, work_order_id)
    return await _view(session, work_order)


@router.post(
    "/{work_order_id}/reopen",
    response_model=WorkOrderOut,
    responses=documented(409, "`not_completed`, `invoice_exists` or `export_pending`"),
)
async def reopen_work_order(
    session: SessionDep, principal: OfficeDep, work_order_id: PathId
) -> JSONText:
    work_order = await service.reopen(session, principal, work_order_id)
    return await _view(session, work_order)


@router.post(
    "/{work_order_id}/time-entries", status_code=201, response_model=TimeEntryOut, responses=EDIT
)
async def add_time_entry(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, body: TimeEntryCreate
) -> TimeEntryOut:
    entry = await lines.add_time_entry(session, principal, work_order_id, body)
    await session.commit()
    return TimeEntryOut.model_validate(entry)


@router.patch(
    "/{work_order_id}/time-entries/{entry_id}", response_model=TimeEntryOut, responses=EDIT
)
async def update_time_entry(
    session: SessionDep,
    principal: PrincipalDep,
    work_order_id: PathId,
    entry_id: PathId,
    body: TimeEntryUpdate,
) -> TimeEntryOut:
    entry = await lines.update_time_entry(session, principal, work_order_id, entry_id, body)
    await session.commit()
    return TimeEntryOut.model_validate(entry)


@router.delete("/{work_order_id}/time-entries/{entry_id}", status_code=204, responses=EDIT)
async def delete_time_entry(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, entry_id: PathId
) -> Response:
    await lines.delete_time_entry(session, principal, work_order_id, entry_id)
    await session.commit()
    return Response(status_code=204)


@router.post(
    "/{work_order_id}/materials", status_code=201, response_model=MaterialOut, responses=EDIT
)
async def add_material(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, body: MaterialCreate
) -> MaterialOut:
    material = await lines.add_material(session, principal, work_order_id, body)
    await session.commit()
    return MaterialOut.model_validate(material)


@router.patch(
    "/{work_order_id}/materials/{material_id}", response_model=MaterialOut, responses=EDIT
)
async def update_material(
    session: SessionDep,
    principal: PrincipalDep,
    work_order_id: PathId,
    material_id: PathId,
    body: MaterialUpdate,
) -> MaterialOut:
    material = await lines.update_material(session, principal, work_order_id, material_id, body)
    await session.commit()
    return MaterialOut.model_validate(material)


@router.delete("/{work_order_id}/materials/{material_id}", status_code=204, responses=EDIT)
async def delete_material(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, material_id: PathId
) -> Response:
    await lines.delete_material(session, principal, work_order_id, material_id)
    await session.commit()
    return Response(status_code=204)
