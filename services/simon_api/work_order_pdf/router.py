"""`GET /work-orders/{id}/pdf`: the work order as the customer receives it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.simon_api.deps import PrincipalDep, SessionDep
from services.simon_api.fields import PathId
from services.simon_api.work_order_pdf.service import work_order_pdf
from shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/work-orders", tags=["work_order_pdf"], responses=PROBLEM_RESPONSES)


class PdfResponse(Response):
    media_type = "application/pdf"


@router.get(
    "/{work_order_id}/pdf",
    response_class=PdfResponse,
    responses={200: {"content": {"application/pdf": {}}, "description": "The work order (A4)"}},
)
async def get_work_order_pdf(
    session: SessionDep, principal: PrincipalDep, work_order_id: PathId
) -> PdfResponse:
    """Company and customer, work address, contact person, object, description, hours,
    materials, the forms' answers and the signature with name and date."""
    number, pdf = await work_order_pdf(session, principal, work_order_id)
    return PdfResponse(
        pdf, headers={"Content-Disposition": f'inline; filename="werkbon-{number}.pdf"'}
    )
