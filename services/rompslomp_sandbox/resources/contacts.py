"""``/api/v1/companies/{company_id}/contacts`` (scope ``manage:contacts``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Request, Response

from ..auth import company_for, get_state, parse_id
from ..errors import JSONResponse, not_found, validation
from ..masterdata_faults import after_page, raw_aware
from ..state import Company, Contact, SandboxState, Table
from .common import (
    as_bool,
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

router = APIRouter()
SCOPE = "manage:contacts"
MODEL = "Contact"

TEXT_FIELDS = (
    "company_name",
    "contact_person_name",
    "contact_person_email_address",
    "address",
    "zipcode",
    "city",
    "government_identification_number",
    "country_code",
    "kvk_number",
    "phone",
    "vat_number",
    "contact_number",
    "free_1",
    "free_2",
    "free_3",
)
CONTACT_FIELDS = ("is_individual", "is_supplier", *TEXT_FIELDS)
SEARCHED_FIELDS = (
    "company_name",
    "contact_person_name",
    "contact_person_email_address",
    "kvk_number",
    "contact_number",
    "address",
    "phone",
    "vat_number",
    "zipcode",
    "city",
)
SELECTIONS = ("all", "customers", "suppliers")


def contact_name(contact: Contact) -> str | None:
    return contact.contact_person_name if contact.is_individual else contact.company_name


def render_contact(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "is_individual": contact.is_individual,
        "is_supplier": contact.is_supplier,
        "name": contact_name(contact),
        "company_name": contact.company_name,
        "contact_person_name": contact.contact_person_name,
        "contact_person_email_address": contact.contact_person_email_address,
        "address": contact.address,
        "zipcode": contact.zipcode,
        "city": contact.city,
        "government_identification_number": contact.government_identification_number,
        "country_code": contact.country_code,
        "kvk_number": contact.kvk_number,
        "phone": contact.phone,
        "vat_number": contact.vat_number,
        "contact_number": contact.contact_number,
        "free_1": contact.free_1,
        "free_2": contact.free_2,
        "free_3": contact.free_3,
    }


def _next_contact_number(company: Company) -> str:
    while True:
        number = f"K{company.next_contact_number:05d}"
        company.next_contact_number += 1
        if number not in company.contact_by_number:
            return number


def _apply(company: Company, contact: Contact, fields: dict[str, Any]) -> None:
    """Validate ``fields`` over ``contact`` and write them (nothing is written on error)."""
    reject_unknown(fields, CONTACT_FIELDS)
    values: dict[str, Any] = {
        name: as_text(name, fields[name]) for name in TEXT_FIELDS if name in fields
    }
    for name in ("is_individual", "is_supplier"):
        if name in fields:
            values[name] = as_bool(name, fields[name])
    is_individual = values.get("is_individual", contact.is_individual)
    if is_individual and not values.get("contact_person_name", contact.contact_person_name):
        raise validation(MODEL, "Contactpersoon moet opgegeven zijn.")
    if not is_individual and not values.get("company_name", contact.company_name):
        raise validation(MODEL, "Company name moet opgegeven zijn.")
    number = values.get("contact_number")
    if number is not None and company.contact_by_number.get(number, contact.id) != contact.id:
        raise validation(MODEL, "Contactnummer is al in gebruik.")
    if "contact_number" in values and number is None:
        values["contact_number"] = _next_contact_number(company)
    if "contact_number" in values and contact.contact_number is not None:
        company.contact_by_number.pop(contact.contact_number, None)
    for name, value in values.items():
        setattr(contact, name, value)
    if contact.contact_number is None:
        contact.contact_number = _next_contact_number(company)
    company.contact_by_number[contact.contact_number] = contact.id


def create_contact(state: SandboxState, company: Company, fields: dict[str, Any]) -> Contact:
    contact = Contact(id=state.next_id())
    if "country_code" in fields and not fields["country_code"]:
        contact.country_code = None
    _apply(company, contact, fields)
    company.contacts.add(contact.id, contact)
    return contact


def update_contact(company: Company, contact: Contact, fields: dict[str, Any]) -> Contact:
    _apply(company, contact, fields)
    company.contacts.version += 1
    return contact


def delete_contact(company: Company, contact: Contact) -> None:
    company.contacts.remove(contact.id)
    if contact.contact_number is not None:
        company.contact_by_number.pop(contact.contact_number, None)


def find_contact(company: Company, raw_id: str) -> Contact:
    contact = company.contacts.get(parse_id(raw_id, MODEL))
    if contact is None:
        raise not_found(MODEL)
    return contact


def _matches(contact: Contact, query: str) -> bool:
    for name in SEARCHED_FIELDS:
        value = getattr(contact, name)
        if value is not None and query in value.lower():
            return True
    return False


@router.get("/api/v1/companies/{company_id}/contacts")
async def list_contacts(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request, {"selection", "search[q]", "search[contact_person_email_address]"})
    chosen = selection(request, SELECTIONS)
    query = search_param(request, "q")
    email = search_param(request, "contact_person_email_address")
    table = company.contacts
    render = raw_aware(request, company, "contacts", render_contact)
    if query is None and email is None:
        fetch: Callable[[int, int], Sequence[Contact]]
        if chosen == "all":
            total, fetch = len(table), table.page
        else:
            selected = _selected(table, chosen)
            total, fetch = len(selected), page_of(selected)
        response = page_response(request, "contacts", total, fetch, render)
        state = get_state(request)
        after_page(
            request,
            company,
            "contacts",
            paging(request)[0],
            add=lambda fields: create_contact(
                state, company, fields or {"company_name": "Nieuw tijdens het lezen BV"}
            ),
            delete=lambda record_id: delete_contact(company, find_contact(company, str(record_id))),
        )
        return response
    found: list[Contact] = []
    for contact in table:
        if chosen != "all" and contact.is_supplier != (chosen == "suppliers"):
            continue
        address = contact.contact_person_email_address
        if email is not None and (address or "").lower() != email.lower():
            continue
        if query is not None and not _matches(contact, query.lower()):
            continue
        found.append(contact)
    return page_response(request, "contacts", len(found), page_of(found), render)


# Per table: the customers or suppliers, rebuilt only when the table changed (a listing of
# 20,000 customers would otherwise filter every contact for every page).
_SELECTED: WeakKeyDictionary[Table[Contact], dict[str, tuple[int, list[Contact]]]] = (
    WeakKeyDictionary()
)


def _selected(table: Table[Contact], chosen: str) -> list[Contact]:
    cached = _SELECTED.setdefault(table, {})
    hit = cached.get(chosen)
    if hit is not None and hit[0] == table.version:
        return hit[1]
    suppliers = chosen == "suppliers"
    found = [table.records[i] for i in table.order if table.records[i].is_supplier == suppliers]
    cached[chosen] = (table.version, found)
    return found


@router.get("/api/v1/companies/{company_id}/contacts/{contact_id}")
async def show_contact(request: Request, company_id: str, contact_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    render = raw_aware(request, company, "contacts", render_contact)
    return JSONResponse({"contact": render(find_contact(company, contact_id))})


@router.post("/api/v1/companies/{company_id}/contacts", status_code=201)
async def post_contact(request: Request, company_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    fields = await read_body(request, "contact")
    contact = create_contact(get_state(request), company, fields)
    return JSONResponse({"contact": render_contact(contact)}, status_code=201)


@router.patch("/api/v1/companies/{company_id}/contacts/{contact_id}")
async def patch_contact(request: Request, company_id: str, contact_id: str) -> JSONResponse:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    fields = await read_body(request, "contact")
    contact = find_contact(company, contact_id)
    update_contact(company, contact, fields)
    return JSONResponse({"contact": render_contact(contact)})


@router.delete("/api/v1/companies/{company_id}/contacts/{contact_id}", status_code=204)
async def remove_contact(request: Request, company_id: str, contact_id: str) -> Response:
    company = company_for(request, company_id, SCOPE)
    check_query(request)
    delete_contact(company, find_contact(company, contact_id))
    return Response(status_code=204)
