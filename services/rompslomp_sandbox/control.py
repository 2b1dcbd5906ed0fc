"""The control plane under ``/_sandbox``: seed, edit as a user would, faults, tokens, stats.

No authentication and no fault injection here: it is the test harness's back door.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from .auth import get_state, parse_id
from .errors import ApiError, JSONResponse, not_found
from .faults import FaultConfig, Faults, faults_of
from .oauth import issue_tokens
from .resources import invoice_rules as rules
from .resources.companies import create_company, render_company
from .resources.contacts import (
    create_contact,
    delete_contact,
    find_contact,
    render_contact,
    update_contact,
)
from .resources.products import create_product, find_product, render_product, update_product
from .resources.sales_invoices import delete_invoice, find_invoice
from .seed import seed_contacts, seed_products
from .settings import SandboxSettings
from .state import ALL_SCOPES, PRODUCT_SCOPES, Company

router = APIRouter(prefix="/_sandbox")


class NewCompany(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    api_accessible: bool = True


class CompanyAccess(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_accessible: bool | None = None
    allowed_scopes: list[str] | None = None


class SeedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacts: int = Field(default=0, ge=0, le=1_000_000)
    products: int = Field(default=0, ge=0, le=1_000_000)
    seed: int = 0


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: str = PRODUCT_SCOPES
    expires_in: int | None = Field(default=None, ge=1)


class ExpireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_token: str | None = None


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = None


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "client.parameters.malformed_json", "Ongeldige JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "client.parameters.malformed_json", "Verwacht een JSON-object")
    return data


def _company(request: Request, company_id: str) -> Company:
    company = get_state(request).companies.get(parse_id(company_id, "Onderneming"))
    if company is None:
        raise not_found("Onderneming")
    return company


def _faults(request: Request) -> Faults:
    return faults_of(request)


@router.post("/reset", status_code=204)
async def reset(request: Request) -> Response:
    get_state(request).reset()
    request.app.state.masterdata_faults.clear()
    faults = _faults(request)
    faults.clear()
    faults.forget_late_commits()
    faults.stats.reset()
    return Response(status_code=204)


@router.post("/companies", status_code=201)
async def new_company(request: Request, body: NewCompany) -> JSONResponse:
    fields = body.model_dump(exclude={"api_accessible"})
    company = create_company(get_state(request), fields, require_vat_number=False)
    company.api_accessible = body.api_accessible
    return JSONResponse({"company": render_company(company)}, status_code=201)


@router.patch("/companies/{company_id}")
async def change_company_access(
    request: Request, company_id: str, body: CompanyAccess
) -> JSONResponse:
    company = _company(request, company_id)
    if body.api_accessible is not None:
        company.api_accessible = body.api_accessible
    if body.allowed_scopes is not None:
        unknown = [scope for scope in body.allowed_scopes if scope not in ALL_SCOPES]
        if unknown:
            raise ApiError(422, "client.parameters.validation", f"Onbekende scopes: {unknown}")
        company.allowed_scopes = list(body.allowed_scopes)
    return JSONResponse({"company": render_company(company)})


@router.post("/companies/{company_id}/seed", status_code=201)
async def seed(request: Request, company_id: str, body: SeedRequest) -> JSONResponse:
    company = _company(request, company_id)
    state = get_state(request)
    contacts = seed_contacts(state, company, body.contacts, body.seed)
    products = seed_products(state, company, body.products, body.seed)
    return JSONResponse({"contacts": contacts, "products": products}, status_code=201)


@router.post("/companies/{company_id}/contacts", status_code=201)
async def add_contact(request: Request, company_id: str) -> JSONResponse:
    company = _company(request, company_id)
    contact = create_contact(get_state(request), company, await _json(request))
    return JSONResponse({"contact": render_contact(contact)}, status_code=201)


@router.patch("/companies/{company_id}/contacts/{contact_id}")
async def edit_contact(request: Request, company_id: str, contact_id: str) -> JSONResponse:
    fields = await _json(request)
    company = _company(request, company_id)
    contact = update_contact(company, find_contact(company, contact_id), fields)
    return JSONResponse({"contact": render_contact(contact)})


@router.delete("/companies/{company_id}/contacts/{contact_id}", status_code=204)
async def drop_contact(request: Request, company_id: str, contact_id: str) -> Response:
    company = _company(request, company_id)
    delete_contact(company, find_contact(company, contact_id))
    return Response(status_code=204)


def _product_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Accept the API shape ``{has_stock, invoice_line: {...}}`` or flat line fields."""
    if "invoice_line" in fields:
        return fields
    line = {key: value for key, value in fields.items() if key != "has_stock"}
    wrapped: dict[str, Any] = {"invoice_line": line} if line else {}
    if "has_stock" in fields:
        wrapped["has_stock"] = fields["has_stock"]
    return wrapped


@router.post("/companies/{company_id}/products", status_code=201)
async def add_product(request: Request, company_id: str) -> JSONResponse:
    company = _company(request, company_id)
    fields = _product_fields(await _json(request))
    product = create_product(get_state(request), company, fields)
    return JSONResponse({"product": render_product(company, product)}, status_code=201)


@router.patch("/companies/{company_id}/products/{product_id}")
async def edit_product(request: Request, company_id: str, product_id: str) -> JSONResponse:
    fields = _product_fields(await _json(request))
    company = _company(request, company_id)
    product = update_product(company, find_product(company, product_id), fields)
    return JSONResponse({"product": render_product(company, product)})


@router.delete("/companies/{company_id}/products/{product_id}", status_code=204)
async def drop_product(request: Request, company_id: str, product_id: str) -> Response:
    company = _company(request, company_id)
    company.products.remove(find_product(company, product_id).id)
    return Response(status_code=204)


@router.get("/companies/{company_id}/sales_invoices")
async def dump_invoices(request: Request, company_id: str) -> JSONResponse:
    company = _company(request, company_id)
    invoices = [rules.render_invoice(company, invoice) for invoice in company.sales_invoices]
    return JSONResponse({"sales_invoices": invoices})


@router.delete("/companies/{company_id}/sales_invoices/{invoice_id}", status_code=204)
async def drop_invoice(request: Request, company_id: str, invoice_id: str) -> Response:
    company = _company(request, company_id)
    delete_invoice(company, find_invoice(company, invoice_id))
    return Response(status_code=204)


@router.get("/faults")
async def show_faults(request: Request) -> JSONResponse:
    return JSONResponse(_faults(request).config.model_dump())


@router.put("/faults")
async def set_faults(request: Request, body: FaultConfig) -> JSONResponse:
    faults = _faults(request)
    faults.configure(body)
    return JSONResponse(faults.config.model_dump())


@router.delete("/faults", status_code=204)
async def clear_faults(request: Request) -> Response:
    _faults(request).clear()
    return Response(status_code=204)


@router.post("/tokens", status_code=201)
async def mint_token(request: Request, body: TokenRequest | None = None) -> JSONResponse:
    body = body or TokenRequest()
    scope = " ".join(body.scopes.split())
    unknown = [name for name in scope.split() if name not in ALL_SCOPES]
    if unknown:
        raise ApiError(422, "client.parameters.validation", f"Onbekende scopes: {unknown}")
    settings: SandboxSettings = request.app.state.settings
    expires_in = body.expires_in or settings.token_expires_in
    return JSONResponse(issue_tokens(get_state(request), scope, expires_in), status_code=201)


@router.post("/tokens/expire", status_code=204)
async def expire_tokens(request: Request, body: ExpireRequest | None = None) -> Response:
    tokens = get_state(request).access_tokens
    target = body.access_token if body else None
    if target is not None and target not in tokens:
        raise not_found("Access token")
    for token in [tokens[target]] if target is not None else tokens.values():
        token.expired = True
        token.expires_at = min(token.expires_at, time.time())
    return Response(status_code=204)


@router.post("/tokens/revoke", status_code=204)
async def revoke_tokens(request: Request, body: RevokeRequest | None = None) -> Response:
    state = get_state(request)
    target = body.refresh_token if body else None
    if target is None:
        state.revoked_grants.update(token.grant_id for token in state.refresh_tokens.values())
        state.revoked_grants.update(token.grant_id for token in state.access_tokens.values())
        return Response(status_code=204)
    refresh = state.refresh_tokens.get(target)
    if refresh is None:
        raise not_found("Refresh token")
    # The whole grant goes: this refresh token and every access token issued under it.
    state.revoked_grants.add(refresh.grant_id)
    return Response(status_code=204)


@router.get("/stats")
async def stats(request: Request) -> JSONResponse:
    return JSONResponse(_faults(request).stats.as_json())


@router.post("/stats/reset", status_code=204)
async def reset_stats(request: Request) -> Response:
    _faults(request).stats.reset()
    return Response(status_code=204)
