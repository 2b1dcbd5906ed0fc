"""``/api/v1/companies/{company_id}/vat_types`` (read-only, scope ``public``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from .. import money
from ..auth import company_for, parse_id
from ..errors import JSONResponse, invalid_value, not_found
from ..state import Company, SandboxState, VatType
from .common import check_query, page_of, page_response, selection

router = APIRouter()

# name, friendly name, rate, last day valid (None: still valid)
STANDARD_VAT_TYPES: tuple[tuple[str, str, str, date | None], ...] = (
    ("vat_high", "hoog", "0.21", None),
    ("vat_low_new", "laag", "0.09", None),
    ("vat_low", "laag (oud)", "0.06", date(2018, 12, 31)),
    ("vat_zero", "0%", "0.0", None),
    ("vat_none", "geen", "0.0", None),
    ("vat_reverse_charged", "verlegd", "0.0", None),
)


def add_standard_vat_types(state: SandboxState, company: Company) -> None:
    for name, friendly_name, value, valid_until in STANDARD_VAT_TYPES:
        vat_type = VatType(state.next_id(), name, friendly_name, Decimal(value), valid_until)
        company.vat_types.add(vat_type.id, vat_type)


def default_vat_type(company: Company) -> VatType | None:
    return next((v for v in company.vat_types if v.name == "vat_high"), None)


def render_vat_type(vat_type: VatType) -> dict[str, Any]:
    return {
        "id": vat_type.id,
        "name": vat_type.name,
        "friendly_name": vat_type.friendly_name,
        "value": money.render(vat_type.value),
    }


@router.get("/api/v1/companies/{company_id}/vat_types")
async def list_vat_types(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, "public")
    check_query(request, {"selection", "since"})
    selection(request, ("all",))
    raw_since = request.query_params.get("since")
    try:
        since = date.fromisoformat(raw_since) if raw_since else date.today()  # noqa: DTZ011
    except ValueError:
        raise invalid_value("since", f"'{raw_since}' is geen geldige datum") from None
    known = [v for v in company.vat_types if v.valid_until is None or v.valid_until >= since]
    return page_response(request, "vat_types", len(known), page_of(known), render_vat_type)


@router.get("/api/v1/companies/{company_id}/vat_types/{vat_type_id}")
async def show_vat_type(request: Request, company_id: str, vat_type_id: str) -> JSONResponse:
    company = company_for(request, company_id, "public")
    check_query(request)
    vat_type = company.vat_types.get(parse_id(vat_type_id, "Btw-soort"))
    if vat_type is None:
        raise not_found("Btw-soort")
    return JSONResponse({"vat_type": render_vat_type(vat_type)})
