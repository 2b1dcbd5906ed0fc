"""Sales-invoice rules: validation, nested lines, totals, publication, rendering.

Every change is validated completely before anything is written, so a 422 leaves the
invoice (and the company's indexes) exactly as they were.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .. import money
from ..errors import ApiError, invalid_value, not_found, validation
from ..state import Company, InvoiceLine, SalesInvoice, SandboxState
from .common import as_bool, as_date, as_decimal, as_int, as_text, reject_unknown
from .contacts import create_contact
from .vat_types import default_vat_type

MODEL = "Factuur"
LINE_MODEL = "Factuurregel"
PAYMENT_TERM = timedelta(days=30)
EARLIEST = date(1990, 1, 1)
PAYMENT_METHODS = (
    "pay_transfer",
    "paid_cash",
    "paid_pin",
    "paid_already",
    "pay_ideal",
    "paid_sepa",
    "pay_custom",
)
TEXT_FIELDS = (
    "custom_payment_instructions",
    "description",
    "vat_number",
    "api_reference",
    "payment_reference",
    "sale_type",
)
BOOL_FIELDS = (
    "creates_pay_url_on_publish",
    "sends_copy_by_email_on_publish",
    "validates_vat_number",
    "distance_sale",
)
INVOICE_FIELDS = (
    *TEXT_FIELDS,
    *BOOL_FIELDS,
    "date",
    "due_date",
    "payment_method",
    "contact_id",
    "currency",
    "currency_exchange_rate",
    "_publish",
    "template_id",
    "contact",
    "invoice_lines",
    "payments",
)
LINE_FIELDS = (
    "description",
    "extended_description",
    "price_per_unit",
    "vat_rate",
    "vat_type_id",
    "quantity",
    "product_id",
    "account_id",
    "account_path",
)
PAYMENT_FIELDS = ("amount", "description", "account_id", "account_path", "paid_at")
SALE_TYPES = ("supply", "service", "service_digital")


def today() -> date:
    return date.today()  # noqa: DTZ011 - the sandbox runs on local (Dutch) time


def line_totals(line: InvoiceLine) -> tuple[Decimal, Decimal]:
    """(price without VAT, VAT amount) of a line, rounded to cents like the reference."""
    without_vat = money.round_cents(line.quantity * line.price_per_unit)
    return without_vat, money.round_cents(without_vat * line.vat_rate)


def invoice_totals(invoice: SalesInvoice) -> tuple[Decimal, Decimal]:
    without_vat = vat = Decimal("0")
    for line in invoice.lines:
        line_without, line_vat = line_totals(line)
        without_vat += line_without
        vat += line_vat
    return without_vat, vat


def _build_line(company: Company, fields: dict[str, Any], base: InvoiceLine) -> InvoiceLine:
    line = dataclasses.replace(base)
    for name in ("description", "extended_description", "account_path"):
        if name in fields:
            setattr(line, name, as_text(name, fields[name]))
    for name in ("account_id", "product_id", "vat_type_id"):
        if name in fields:
            setattr(line, name, as_int(name, fields[name]))
    if "price_per_unit" in fields:
        price = as_decimal(MODEL, "Factuurregels stuksprijs", fields["price_per_unit"])
        if price is None:
            raise validation(MODEL, "Factuurregels stuksprijs moet opgegeven zijn.")
        line.price_per_unit = price
    elif base.id == 0:
        raise validation(MODEL, "Factuurregels stuksprijs moet opgegeven zijn.")
    if "quantity" in fields:
        quantity = as_decimal(MODEL, "Factuurregels aantal", fields["quantity"])
        line.quantity = Decimal("1") if quantity is None else quantity
    if len(line.description or "") > 255:
        raise validation(MODEL, "Factuurregels omschrijving is te lang (maximaal 255 tekens).")
    if line.product_id is not None and company.products.get(line.product_id) is None:
        raise validation(MODEL, "Factuurregels product bestaat niet.")
    if line.vat_type_id is None:
        fallback = default_vat_type(company)
        line.vat_type_id = fallback.id if fallback else None
    vat_type = company.vat_types.get(line.vat_type_id) if line.vat_type_id else None
    if vat_type is None:
        raise validation(MODEL, "Factuurregels btw-soort bestaat niet.")
    custom = as_decimal(MODEL, "Factuurregels btw-tarief", fields.get("vat_rate"))
    line.vat_rate = custom if vat_type.name == "vat_custom" and custom else vat_type.value
    return line


def _lines(
    state: SandboxState, company: Company, invoice: SalesInvoice, raw: Any, *, patch: bool
) -> list[InvoiceLine]:
    """The invoice's lines after applying nested attributes (add / update / _destroy)."""
    if not isinstance(raw, list):
        raise invalid_value("invoice_lines", "moet een lijst zijn")
    lines = list(invoice.lines) if patch else []
    allowed = (*LINE_FIELDS, "id", "_destroy") if patch else LINE_FIELDS
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_value("invoice_lines", "moet een lijst van objecten zijn")
        reject_unknown(item, allowed)
        line_id = as_int("id", item.get("id"))
        if line_id is None:
            lines.append(_build_line(company, item, InvoiceLine(id=0)))
            continue
        index = next((i for i, line in enumerate(lines) if line.id == line_id), None)
        if index is None:
            raise not_found(LINE_MODEL)
        if as_bool("_destroy", item.get("_destroy", False)):
            del lines[index]
        else:
            lines[index] = _build_line(company, item, lines[index])
    for index, line in enumerate(lines):
        if line.id == 0:
            lines[index] = dataclasses.replace(line, id=state.next_id())
    return lines


def _payments_total(raw: Any, scopes: frozenset[str]) -> Decimal:
    if "manage:payments" not in scopes:
        raise ApiError(
            403,
            "client.authorization.invalid_scope",
            "Voor betalingen is de scope 'manage:payments' nodig",
        )
    if not isinstance(raw, list):
        raise invalid_value("payments", "moet een lijst zijn")
    total = Decimal("0")
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_value("payments", "moet een lijst van objecten zijn")
        reject_unknown(item, PAYMENT_FIELDS)
        amount = as_decimal(MODEL, "Betalingen bedrag", item.get("amount"))
        if amount is None:
            raise validation(MODEL, "Betalingen bedrag moet opgegeven zijn.")
        total += amount
    return total


def apply_changes(
    state: SandboxState,
    company: Company,
    invoice: SalesInvoice,
    fields: dict[str, Any],
    scopes: frozenset[str],
    *,
    patch: bool,
    check_reference: bool = True,
) -> SalesInvoice:
    """Validate ``fields`` against ``invoice`` and return the changed copy (not stored).
    ``check_reference=False``: the late-commit fault's racing validation."""
    reject_unknown(fields, INVOICE_FIELDS)
    if invoice.status != "concept":
        if as_bool("_publish", fields.get("_publish", False)):
            raise validation(MODEL, "Factuur is al gepubliceerd.")
        raise validation(MODEL, "Een gepubliceerde factuur kan niet meer gewijzigd worden.")
    new = dataclasses.replace(invoice, lines=list(invoice.lines))
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(new, name, as_text(name, fields[name]))
    for name in BOOL_FIELDS:
        if name in fields:
            setattr(new, name, as_bool(name, fields[name]))
    if "date" in fields:
        new_date = as_date(MODEL, "Factuurdatum", fields["date"])
        if new_date is None:
            raise validation(MODEL, "Factuurdatum moet opgegeven zijn.")
        new.date = new_date
        if "due_date" not in fields and not patch:
            new.due_date = new_date + PAYMENT_TERM
    if "due_date" in fields:
        new.due_date = as_date(MODEL, "Vervaldatum", fields["due_date"]) or new.date + PAYMENT_TERM
    if new.date < EARLIEST:
        raise validation(MODEL, "Factuurdatum moet na 01/01/1990 liggen.")
    if new.due_date < new.date:
        raise validation(MODEL, "Vervaldatum moet op of na de factuurdatum liggen.")
    if "payment_method" in fields:
        new.payment_method = as_text("payment_method", fields["payment_method"]) or "pay_transfer"
    if new.payment_method not in PAYMENT_METHODS:
        raise validation(MODEL, "Betaalmethode is niet geldig.")
    if new.payment_method == "pay_custom" and not new.custom_payment_instructions:
        raise validation(MODEL, "Betaalinstructies moet opgegeven zijn.")
    if new.sale_type is not None and new.sale_type not in SALE_TYPES:
        raise validation(MODEL, "Soort verkoop is niet geldig.")
    if "currency" in fields:
        new.currency = (as_text("currency", fields["currency"]) or "eur").lower()
    if "currency_exchange_rate" in fields:
        rate = as_decimal(MODEL, "Wisselkoers", fields["currency_exchange_rate"])
        new.currency_exchange_rate = rate if rate is not None else Decimal("1.0")
    if new.currency != "eur" and "currency_exchange_rate" not in fields and not patch:
        raise validation(MODEL, "Wisselkoers moet opgegeven zijn.")
    if "template_id" in fields:
        new.template_id = as_int("template_id", fields["template_id"])
    if "contact_id" in fields:
        new.contact_id = as_int("contact_id", fields["contact_id"])
        if new.contact_id is not None and company.contacts.get(new.contact_id) is None:
            raise validation(MODEL, "Contact bestaat niet.")
    reference = new.api_reference
    owners = company.invoice_by_api_reference.get(reference, []) if reference else []
    if check_reference and any(owner != invoice.id for owner in owners):
        raise validation(MODEL, "Api reference is al in gebruik.")
    if "invoice_lines" in fields:
        new.lines = _lines(state, company, invoice, fields["invoice_lines"], patch=patch)
    if "payments" in fields:
        new.paid_amount += _payments_total(fields["payments"], scopes)
    publish = as_bool("_publish", fields.get("_publish", False))
    inline_contact = fields.get("contact")
    if inline_contact is not None and not isinstance(inline_contact, dict):
        raise invalid_value("contact", "moet een object zijn")
    if publish and new.contact_id is None and not inline_contact:
        raise validation(MODEL, "Contact moet opgegeven zijn.")
    if publish and not new.lines:
        raise validation(MODEL, "Factuur moet minstens één factuurregel bevatten.")
    if inline_contact:
        new.contact_id = create_contact(state, company, inline_contact).id
    new.cached_contact = cached_contact(company, new)
    if publish:
        _publish(company, new)
    return new


def _publish(company: Company, invoice: SalesInvoice) -> None:
    invoice.status = "published"
    invoice.published_at = today()
    invoice.invoice_number = f"{invoice.date.year}-{company.next_invoice_number:04d}"
    company.next_invoice_number += 1
    for line in invoice.lines:
        product = company.products.get(line.product_id) if line.product_id else None
        if product is not None:
            product.number_sold += int(line.quantity)


def store(company: Company, old: SalesInvoice | None, new: SalesInvoice) -> None:
    """Commit a validated invoice and keep the api_reference index in step."""
    if old is not None and old.api_reference and old.api_reference != new.api_reference:
        _unindex(company, old.api_reference, old.id)
    if new.api_reference:
        owners = company.invoice_by_api_reference.setdefault(new.api_reference, [])
        if new.id not in owners:
            owners.append(new.id)
    if old is None:
        company.sales_invoices.add(new.id, new)
    else:
        company.sales_invoices.records[new.id] = new


def remove(company: Company, invoice: SalesInvoice) -> None:
    company.sales_invoices.remove(invoice.id)
    if invoice.api_reference:
        _unindex(company, invoice.api_reference, invoice.id)


def _unindex(company: Company, reference: str, invoice_id: int) -> None:
    owners = company.invoice_by_api_reference.get(reference, [])
    if invoice_id in owners:
        owners.remove(invoice_id)
    if not owners:
        company.invoice_by_api_reference.pop(reference, None)


def cached_contact(company: Company, invoice: SalesInvoice) -> dict[str, Any] | None:
    """The invoice's contact subset: live while a concept, frozen once published."""
    if invoice.status != "concept":
        return invoice.cached_contact
    contact = company.contacts.get(invoice.contact_id) if invoice.contact_id else None
    if contact is None:
        return invoice.cached_contact
    return {
        "name": contact.contact_person_name if contact.is_individual else contact.company_name,
        "contact_person_name": contact.contact_person_name,
        "address": contact.address,
        "zipcode": contact.zipcode,
        "city": contact.city,
        "country_code": contact.country_code,
        "contact_person_email_address": contact.contact_person_email_address,
        "contact_number": contact.contact_number,
    }


def render_line(line: InvoiceLine) -> dict[str, Any]:
    without_vat, vat = line_totals(line)
    return {
        "id": line.id,
        "description": line.description,
        "extended_description": line.extended_description,
        "price_per_unit": money.render(line.price_per_unit),
        "price_with_vat": money.render(without_vat + vat),
        "price_without_vat": money.render(without_vat),
        "vat_amount": money.render(vat),
        "vat_rate": money.render(line.vat_rate),
        "vat_type_id": line.vat_type_id,
        "quantity": money.render(line.quantity),
        "product_id": line.product_id,
        "account_id": line.account_id,
        "account_path": line.account_path,
    }


def open_amount(invoice: SalesInvoice) -> Decimal:
    without_vat, vat = invoice_totals(invoice)
    return without_vat + vat - invoice.paid_amount


def render_invoice(company: Company, invoice: SalesInvoice) -> dict[str, Any]:
    without_vat, vat = invoice_totals(invoice)
    unpaid = without_vat + vat - invoice.paid_amount
    payment_status = "paid" if unpaid == 0 else "overpaid" if unpaid < 0 else "unpaid"
    body: dict[str, Any] = {
        "id": invoice.id,
        "date": invoice.date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "payment_method": invoice.payment_method,
    }
    if invoice.payment_method == "pay_custom":
        body["custom_payment_instructions"] = invoice.custom_payment_instructions
    concept = invoice.status == "concept"
    if concept and invoice.creates_pay_url_on_publish:
        body["creates_pay_url_on_publish"] = True
    body.update(
        {
            "description": invoice.description,
            "status": invoice.status,
            "price_without_vat": money.render(without_vat),
            "price_with_vat": money.render(without_vat + vat),
            "vat_amount": money.render(vat),
            "contact_id": invoice.contact_id,
            "invoice_number": invoice.invoice_number,
            "published_at": invoice.published_at.isoformat() if invoice.published_at else None,
            "payment_status": payment_status,
            "open_amount": money.render(unpaid),
            "currency": invoice.currency,
            "currency_exchange_rate": money.render(invoice.currency_exchange_rate),
        }
    )
    if concept and invoice.sends_copy_by_email_on_publish:
        body["sends_copy_by_email_on_publish"] = True
    body.update(
        {
            "template_id": invoice.template_id,
            "vat_number": invoice.vat_number,
        }
    )
    if not invoice.validates_vat_number:
        body["validates_vat_number"] = False
    body.update(
        {
            "api_reference": invoice.api_reference,
            "payment_reference": invoice.payment_reference,
            "sale_type": invoice.sale_type,
            "distance_sale": invoice.distance_sale,
            "cached_contact": cached_contact(company, invoice),
            "attachment_objects": [],
            "invoice_lines": [render_line(line) for line in invoice.lines],
        }
    )
    return body
