"""``/api/v1/companies`` and ``/api/v1/me``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from ..auth import authenticate, get_state, parse_id
from ..errors import JSONResponse, not_found, validation
from ..state import Company, SandboxState
from .common import (
    as_bool,
    as_text,
    check_query,
    page_response,
    read_body,
    reject_unknown,
)
from .vat_types import add_standard_vat_types

router = APIRouter()

COMPANY_TEXT_FIELDS = (
    "name",
    "owner_name",
    "address",
    "zipcode",
    "city",
    "country_code",
    "kvk_number",
    "email",
    "website",
    "vat_number",
)
COMPANY_TYPES = ("eenmanszaak", "vof", "bv", "vereniging", "stichting", "other")
COMPANY_FIELDS = (*COMPANY_TEXT_FIELDS, "type", "vat_liable")
MODEL = "Onderneming"


def render_company(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "owner_name": company.owner_name,
        "address": company.address,
        "zipcode": company.zipcode,
        "city": company.city,
        "country_code": company.country_code,
        "kvk_number": company.kvk_number,
        "email": company.email,
        "website": company.website,
        "type": company.type,
        "vat_liable": company.vat_liable,
        "vat_number": company.vat_number,
        "access_control": {
            "api_accessible": company.api_accessible,
            "allowed_scopes": list(company.allowed_scopes),
        },
    }


def create_company(
    state: SandboxState, fields: dict[str, Any], *, require_vat_number: bool = True
) -> Company:
    """Validate and store a company with the standard Dutch VAT types."""
    reject_unknown(fields, COMPANY_FIELDS)
    values = {name: as_text(name, fields.get(name)) for name in COMPANY_TEXT_FIELDS}
    if not values["name"]:
        raise validation(MODEL, "Bedrijfsnaam moet opgegeven zijn.")
    company_type = as_text("type", fields.get("type")) or "bv"
    if company_type not in COMPANY_TYPES:
        raise validation(MODEL, "Rechtsvorm is niet geldig.")
    vat_liable = as_bool("vat_liable", fields.get("vat_liable", True))
    if vat_liable and not values["vat_number"] and require_vat_number:
        raise validation(MODEL, "Btw-nummer moet opgegeven zijn.")
    company = Company(id=state.next_id(), name=str(values.pop("name")))
    for name, value in values.items():
        if value is not None or name != "country_code":
            setattr(company, name, value)
    company.type = company_type
    company.vat_liable = vat_liable
    state.companies.add(company.id, company)
    add_standard_vat_types(state, company)
    return company


@router.get("/api/v1/companies")
async def list_companies(request: Request) -> JSONResponse:
    authenticate(request, "public")
    check_query(request)
    companies = get_state(request).companies
    return page_response(request, "companies", len(companies), companies.page, render_company)


@router.post("/api/v1/companies", status_code=201)
async def post_company(request: Request) -> JSONResponse:
    authenticate(request, "manage:companies")
    check_query(request)
    company = create_company(get_state(request), await read_body(request, "company"))
    return JSONResponse({"company": render_company(company)}, status_code=201)


@router.delete("/api/v1/companies/{company_id}", status_code=204)
async def delete_company(request: Request, company_id: str) -> Response:
    authenticate(request, "manage:companies")
    check_query(request)
    state = get_state(request)
    if state.companies.remove(parse_id(company_id, MODEL)) is None:
        raise not_found(MODEL)
    return Response(status_code=204)


@router.get("/api/v1/me")
async def show_me(request: Request) -> JSONResponse:
    authenticate(request, "read:me")
    check_query(request)
    user = get_state(request).user
    return JSONResponse(
        {"me": {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}}
    )
