"""``/api/v1/companies/{company_id}/sales_invoices`` (scope ``manage:sales_invoices``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from ..auth import authenticate, company_for, get_state, parse_id
from ..errors import JSONResponse, invalid_value, not_found, validation
from ..faults import faults_of, is_late_commit
from ..state import Company, SalesInvoice, SandboxState
from . import invoice_rules as rules
from .common import check_query, page_of, page_response, read_body, search_param, selection

router = APIRouter()
SCOPE = "manage:sales_invoices"
SELECTIONS = (
    "all",
    "published",
    "concept",
    "unpaid",
    "questionable_or_unpayable",
    "expired",
    "overpaid",
    "imported",
    "credit_invoices",
    "debt_collector",
)
SEARCH_KEYS = ("from", "till", "contact_id", "api_reference")


def _selected(chosen: str) -> Callable[[SalesInvoice], bool]:
    def published(invoice: SalesInvoice) -> bool:
        return invoice.status == "published"

    tests: dict[str, Callable[[SalesInvoice], bool]] = {
        "all": lambda invoice: True,
        "published": published,
        "concept": lambda invoice: invoice.status == "concept",
        "imported": lambda invoice: invoice.status == "imported",
        "unpaid": lambda invoice: published(invoice) and rules.open_amount(invoice) > 0,
        "expired": lambda invoice: (
            published(invoice)
            and rules.open_amount(invoice) > 0
            and invoice.due_date < rules.today()
        ),
        "overpaid": lambda invoice: published(invoice) and rules.open_amount(invoice) < 0,
        "credit_invoices": lambda invoice: sum(rules.invoice_totals(invoice)) < 0,
    }
    return tests.get(chosen, lambda invoice: False)


def _search_date(request: Request, name: str) -> date | None:
    raw = search_param(request, name)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise invalid_value(f"search[{name}]", f"'{raw}' is geen geldige datum") from None


def new_invoice(state: SandboxState) -> SalesInvoice:
    today = rules.today()
    return SalesInvoice(id=state.next_id(), date=today, due_date=today + rules.PAYMENT_TERM)


def find_invoice(company: Company, raw_id: str) -> SalesInvoice:
    invoice = company.sales_invoices.get(parse_id(raw_id, rules.MODEL))
    if invoice is None:
        raise not_found(rules.MODEL)
    return invoice


def delete_invoice(company: Company, invoice: SalesInvoice) -> None:
    if invoice.status == "published":
        raise validation(rules.MODEL, "Een gepubliceerde factuur kan niet verwijderd worden.")
    rules.remove(company, invoice)


@router.get("/api/v1/companies/{company_id}/sales_invoices")
async def list_sales_invoices(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request, {"selection", *(f"search[{key}]" for key in SEARCH_KEYS)})
    chosen = selection(request, SELECTIONS)
    start, end = _search_date(request, "from"), _search_date(request, "till")
    raw_contact = search_param(request, "contact_id")
    if raw_contact is not None and not raw_contact.isdigit():
        raise invalid_value("search[contact_id]", f"'{raw_contact}' is geen geheel getal")
    contact_id = int(raw_contact) if raw_contact is not None else None
    reference = search_param(request, "api_reference")

    echo = faults_of(request).config.echo_api_reference

    def render(invoice: SalesInvoice) -> dict[str, Any]:
        rendered = rules.render_invoice(company, invoice)
        if not echo:  # the fault: lists that do not echo api_reference (undocumented either way)
            rendered["api_reference"] = None
        return rendered

    table = company.sales_invoices
    if reference is not None:
        # The api_reference index makes the idempotency lookup O(1).
        owners = company.invoice_by_api_reference.get(reference, [])
        candidates = [table.records[owner] for owner in owners]
    elif chosen == "all" and start is None and end is None and contact_id is None:
        return page_response(request, "sales_invoices", len(table), table.page, render)
    else:
        candidates = list(table)
    keep = _selected(chosen)
    found = [
        invoice
        for invoice in candidates
        if keep(invoice)
        and (start is None or invoice.date >= start)
        and (end is None or invoice.date <= end)
        and (contact_id is None or invoice.contact_id == contact_id)
    ]
    return page_response(request, "sales_invoices", len(found), page_of(found), render)


@router.get("/api/v1/companies/{company_id}/sales_invoices/{invoice_id}")
async def show_sales_invoice(request: Request, company_id: str, invoice_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    invoice = find_invoice(company, invoice_id)
    return JSONResponse({"sales_invoice": rules.render_invoice(company, invoice)})


@router.get("/api/v1/companies/{company_id}/sales_invoices/{invoice_id}/pdf", response_model=None)
async def sales_invoice_pdf(
    request: Request, company_id: str, invoice_id: str
) -> Response | JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    invoice = find_invoice(company, invoice_id)
    if invoice.status != "published":
        # The reference's own example for a concept: a JSON message, not a PDF.
        return JSONResponse({"message": "Factuur wordt niet gepubliceerd"})
    text = f"Factuur {invoice.invoice_number}".encode()
    pdf = b"%PDF-1.4\n% Rompslomp sandbox\n" + text + b"\n%%EOF\n"
    return Response(pdf, media_type="application/pdf")


@router.post("/api/v1/companies/{company_id}/sales_invoices", status_code=201)
async def post_sales_invoice(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    token = authenticate(request, SCOPE)
    check_query(request)
    fields = await read_body(request, "sales_invoice")
    state = get_state(request)
    invoice = rules.apply_changes(
        state,
        company,
        new_invoice(state),
        fields,
        token.scopes,
        patch=False,
        check_reference=not is_late_commit(request.scope),
    )
    rules.store(company, None, invoice)
    body = {"sales_invoice": rules.render_invoice(company, invoice)}
    return JSONResponse(body, status_code=201)


@router.patch("/api/v1/companies/{company_id}/sales_invoices/{invoice_id}")
async def patch_sales_invoice(request: Request, company_id: str, invoice_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    token = authenticate(request, SCOPE)
    check_query(request)
    fields = await read_body(request, "sales_invoice")
    invoice = find_invoice(company, invoice_id)
    state = get_state(request)
    changed = rules.apply_changes(state, company, invoice, fields, token.scopes, patch=True)
    rules.store(company, invoice, changed)
    return JSONResponse({"sales_invoice": rules.render_invoice(company, changed)})


@router.delete("/api/v1/companies/{company_id}/sales_invoices/{invoice_id}", status_code=204)
async def remove_sales_invoice(request: Request, company_id: str, invoice_id: str) -> Response:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    delete_invoice(company, find_invoice(company, invoice_id))
    return Response(status_code=204)
