"""The customer's signature on a work order: given before completion, replaced by a new one
until then, read-only after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.simon_api.signatures.png import NotAPng, decode_png
from services.simon_api.signatures.schemas import SignatureIn
from services.simon_api.work_orders.service import get_work_order
from shared.auth import Principal
from shared.clock import utcnow
from shared.enums import WorkOrderStatus
from shared.models import WorkOrderSignature
from shared.problems import Conflict, InvalidInput
from shared.work_order_view import refresh_views


async def sign(
    session: AsyncSession, principal: Principal, work_order_id: int, data: SignatureIn
) -> WorkOrderSignature:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    if work_order.status == WorkOrderStatus.ARCHIVED:
        raise Conflict(
            f"Work order {work_order.number} is archived and read-only.",
            code="work_order_archived",
        )
    if work_order.status == WorkOrderStatus.COMPLETED:
        raise Conflict(
            f"Work order {work_order.number} is completed: the customer signs before "
            "completion (reopen it to sign again).",
            code="work_order_completed",
        )
    try:
        image = decode_png(data.image)
    except NotAPng as problem:
        raise InvalidInput("image", str(problem), code="invalid_image") from None
    signature = await session.get(WorkOrderSignature, work_order.id)
    if signature is None:
        signature = WorkOrderSignature(work_order_id=work_order.id, tenant_id=work_order.tenant_id)
        session.add(signature)
    signature.name = data.name
    signature.image = image
    signature.signed_at = utcnow()
    signature.signed_by_id = principal.employee_id
    await session.flush()
    await refresh_views(session, [work_order.id])  # the body shows who signed and when
    return signature


async def get_signature(
    session: AsyncSession, principal: Principal, work_order_id: int
) -> WorkOrderSignature | None:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id)
    signature = await session.scalar(
        select(WorkOrderSignature)
        .where(WorkOrderSignature.work_order_id == work_order.id)
        .options(undefer(WorkOrderSignature.image))
    )
    return signature
