"""`/work-orders/{id}/signature`: the customer signs on the employee's phone."""

from __future__ import annotations

import base64

from fastapi import APIRouter

from services.simon_api.deps import PrincipalDep, SessionDep
from services.simon_api.fields import PathId
from services.simon_api.signatures import service
from services.simon_api.signatures.schemas import SignatureIn, SignatureOut
from shared.models import WorkOrderSignature
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(
    prefix="/work-orders", tags=["work_order_signature"], responses=PROBLEM_RESPONSES
)


def _out(signature: WorkOrderSignature) -> SignatureOut:
    return SignatureOut(
        name=signature.name,
        image=base64.b64encode(signature.image).decode("ascii"),
        signed_at=signature.signed_at,
        signed_by_id=signature.signed_by_id,
    )


@router.put(
    "/{work_order_id}/signature",
    response_model=SignatureOut,
    responses={
        **documented(409, "`work_order_completed` or `work_order_archived`: signed before"),
        **documented(422, "`image`: not base64, not a sound PNG, or over 200 KB"),
    },
)
async def sign_work_order(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId, body: SignatureIn
) -> SignatureOut:
    """Stores the signature; a new one replaces it until the work order is completed."""
    signature = await service.sign(session, principal, work_order_id, body)
    out = _out(signature)
    await session.commit()
    return out


@router.get("/{work_order_id}/signature", response_model=SignatureOut | None)
async def get_work_order_signature(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId
) -> SignatureOut | None:
    """The signature, or `null` while the work order is not signed. (The work order is
    the resource: it exists, so this answers 200 either way; 404 means no such work
    order.)"""
    signature = await service.get_signature(session, principal, work_order_id)
    return _out(signature) if signature is not None else None
