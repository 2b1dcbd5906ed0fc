"""``/api/v1/companies/{company_id}/products`` (scope ``manage:products``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response

from .. import money
from ..auth import company_for, get_state, parse_id
from ..errors import JSONResponse, invalid_value, not_found, validation
from ..masterdata_faults import after_page, raw_aware
from ..state import Company, Product, SandboxState
from .common import (
    as_bool,
    as_decimal,
    as_int,
    as_text,
    check_query,
    page_of,
    page_response,
    paging,
    read_body,
    reject_unknown,
    search_param,
    selection,
)
from .vat_types import default_vat_type

router = APIRouter()
SCOPE = "manage:products"
MODEL = "Product"

LINE_FIELDS = (
    "description",
    "extended_description",
    "price_per_unit",
    "vat_rate",
    "vat_type_id",
    "account_id",
    "account_path",
    "product_code",
)
PRODUCT_FIELDS = ("has_stock", "invoice_line")


def vat_rate_of(company: Company, vat_type_id: int | None, custom: Decimal | None) -> Decimal:
    vat_type = company.vat_types.get(vat_type_id) if vat_type_id is not None else None
    if vat_type is None:
        return Decimal("0")
    if vat_type.name == "vat_custom" and custom is not None:
        return custom
    return vat_type.value


def render_product(company: Company, product: Product) -> dict[str, Any]:
    price = product.price_per_unit or Decimal("0")
    rate = vat_rate_of(company, product.vat_type_id, product.vat_rate)
    vat = money.round_cents(price * rate)
    return {
        "id": product.id,
        "number_sold": product.number_sold,
        "has_stock": product.has_stock,
        "invoice_line": {
            "id": product.id,
            "description": product.description,
            "extended_description": product.extended_description,
            "price_per_unit": money.render(product.price_per_unit),
            "price_with_vat": money.render(price + vat),
            "price_without_vat": money.render(price),
            "vat_amount": money.render(vat),
            "vat_rate": money.render(rate),
            "vat_type_id": product.vat_type_id,
            "quantity": "1.0",
            "product_id": None,
            "account_id": product.account_id,
            "account_path": product.account_path,
            "product_code": product.product_code,
        },
    }


def _apply(company: Company, product: Product, fields: dict[str, Any]) -> None:
    """Validate ``fields`` over ``product`` and write them (nothing is written on error)."""
    reject_unknown(fields, PRODUCT_FIELDS)
    line = fields.get("invoice_line") or {}
    if not isinstance(line, dict):
        raise invalid_value("invoice_line", "moet een object zijn")
    reject_unknown(line, LINE_FIELDS)
    values: dict[str, Any] = {}
    for name in ("description", "extended_description", "account_path", "product_code"):
        if name in line:
            values[name] = as_text(name, line[name])
    for name in ("vat_type_id", "account_id"):
        if name in line:
            values[name] = as_int(name, line[name])
    if "price_per_unit" in line:
        values["price_per_unit"] = as_decimal(MODEL, "Stuksprijs", line["price_per_unit"])
    if "vat_rate" in line:
        values["vat_rate"] = as_decimal(MODEL, "Btw-tarief", line["vat_rate"])
    if "has_stock" in fields:
        values["has_stock"] = as_bool("has_stock", fields["has_stock"])
    if values.get("price_per_unit", product.price_per_unit) is None:
        raise validation(MODEL, "Stuksprijs moet opgegeven zijn.")
    if len(values.get("description") or "") > 255:
        raise validation(MODEL, "Omschrijving is te lang (maximaal 255 tekens).")
    if len(values.get("product_code") or "") > 100:
        raise validation(MODEL, "Productcode is te lang (maximaal 100 tekens).")
    if "vat_type_id" in values:
        if values["vat_type_id"] is None:
            fallback = default_vat_type(company)
            values["vat_type_id"] = fallback.id if fallback else None
        elif company.vat_types.get(values["vat_type_id"]) is None:
            raise validation(MODEL, "Btw-soort bestaat niet.")
    if "product_code" in values and values["product_code"] is None:
        values["product_code"] = _next_product_code(company)
    for name, value in values.items():
        setattr(product, name, value)


def _next_product_code(company: Company) -> str:
    code = f"P{company.next_product_code}"
    company.next_product_code += 1
    return code


def create_product(state: SandboxState, company: Company, fields: dict[str, Any]) -> Product:
    fallback = default_vat_type(company)
    product = Product(id=state.next_id(), vat_type_id=fallback.id if fallback else None)
    _apply(company, product, fields)
    if product.product_code is None:
        product.product_code = _next_product_code(company)
    company.products.add(product.id, product)
    return product


def update_product(company: Company, product: Product, fields: dict[str, Any]) -> Product:
    _apply(company, product, fields)
    return product


def find_product(company: Company, raw_id: str) -> Product:
    product = company.products.get(parse_id(raw_id, MODEL))
    if product is None:
        raise not_found(MODEL)
    return product


@router.get("/api/v1/companies/{company_id}/products")
async def list_products(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request, {"selection", "search[q]", "search[product_codes][]"})
    selection(request, ("all",))
    query = search_param(request, "q")
    codes = set(request.query_params.getlist("search[product_codes][]"))

    def plain(product: Product) -> dict[str, Any]:
        return render_product(company, product)

    render = raw_aware(request, company, "products", plain)
    table = company.products
    if query is None and not codes:
        response = page_response(request, "products", len(table), table.page, render)
        state = get_state(request)
        after_page(
            request,
            company,
            "products",
            paging(request)[0],
            add=lambda fields: create_product(
                state,
                company,
                fields
                or {
                    "invoice_line": {
                        "description": "Nieuw tijdens het lezen",
                        "price_per_unit": "1.00",
                    }
                },
            ),
            delete=lambda record_id: company.products.remove(record_id),
        )
        return response
    needle = (query or "").lower()
    found = [
        product
        for product in table
        if (not codes or product.product_code in codes)
        and (
            query is None
            or needle in (product.product_code or "").lower()
            or needle in (product.description or "").lower()
        )
    ]
    return page_response(request, "products", len(found), page_of(found), render)


@router.get("/api/v1/companies/{company_id}/products/{product_id}")
async def show_product(request: Request, company_id: str, product_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    product = find_product(company, product_id)

    def plain(record: Product) -> dict[str, Any]:
        return render_product(company, record)

    return JSONResponse({"product": raw_aware(request, company, "products", plain)(product)})


@router.post("/api/v1/companies/{company_id}/products", status_code=201)
async def post_product(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    fields = await read_body(request, "product")
    product = create_product(get_state(request), company, fields)
    return JSONResponse({"product": render_product(company, product)}, status_code=201)


@router.patch("/api/v1/companies/{company_id}/products/{product_id}")
async def patch_product(request: Request, company_id: str, product_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    fields = await read_body(request, "product")
    product = find_product(company, product_id)
    update_product(company, product, fields)
    return JSONResponse({"product": render_product(company, product)})


@router.delete("/api/v1/companies/{company_id}/products/{product_id}", status_code=204)
async def remove_product(request: Request, company_id: str, product_id: str) -> Response:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    company.products.remove(find_product(company, product_id).id)
    return Response(status_code=204)
