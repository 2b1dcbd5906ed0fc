"""The work order as the customer receives it, drawn from its snapshot (shared/snapshot.py,
the shape the archive sends): company and customer, work address, contact person, object,
description, hours, materials, the forms' answers and the signature. A pure function.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass

from services.simon_api.work_order_pdf.layout import (
    FONT,
    SIZE,
    Pdf,
    fields,
    paragraph,
    plain,
    section,
    table,
)
from shared.clock import AMSTERDAM
from shared.enums import TimeEntryKind, WorkOrderStatus
from shared.events import WorkOrderArchivedV1
from shared.money import render_quantity

KINDS = {TimeEntryKind.WORK: "Werktijd", TimeEntryKind.TRAVEL: "Reistijd"}
STATUSES = {
    WorkOrderStatus.CREATED: "aangemaakt",
    WorkOrderStatus.PLANNED: "gepland",
    WorkOrderStatus.COMPLETED: "gereed gemeld",
    WorkOrderStatus.ARCHIVED: "gearchiveerd",
}
SIGNATURE_WIDTH = 70.0  # mm


@dataclass(frozen=True)
class WorkOrderDocument:
    company: str
    status: WorkOrderStatus
    work_order: WorkOrderArchivedV1
    signature_png: bytes | None = None


def local_date(moment: dt.date | dt.datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return moment.strftime("%d-%m-%Y")


def duration(minutes: int) -> str:
    """120 → `2:00 uur`."""
    return f"{minutes // 60}:{minutes % 60:02d} uur"


def _parties(pdf: Pdf, order: WorkOrderArchivedV1) -> None:
    customer = order.customer
    section(pdf, "Klant")
    if customer is None:
        fields(pdf, [("Klant", "geen klant gekozen")])
    else:
        place = " ".join(p for p in (customer.zipcode, customer.city) if p)
        fields(
            pdf,
            [
                ("Naam", customer.name),
                ("Klantnummer", customer.number or ""),
                ("Adres", ", ".join(p for p in (customer.address, place) if p)),
                ("E-mail", customer.email or ""),
            ],
        )
    address = order.work_address
    if address is not None:
        place = " ".join(p for p in (address.zipcode, address.city) if p)
        fields(pdf, [("Werkadres", ", ".join(p for p in (address.street, place) if p))])
    person = order.contact_person
    if person is not None:
        reach = ", ".join(p for p in (person.phone, person.email) if p)
        role = f" ({person.function})" if person.function else ""
        fields(pdf, [("Contactpersoon", person.name + role + (f" · {reach}" if reach else ""))])
    thing = order.object
    if thing is not None:
        serial = f" · serienummer {thing.serial_number}" if thing.serial_number else ""
        fields(pdf, [("Object", thing.title + serial)])


def _hours(pdf: Pdf, order: WorkOrderArchivedV1) -> None:
    section(pdf, "Uren")
    if not order.time_entries:
        pdf.cell(0, 5, "Geen uren geboekt.", new_x="LMARGIN", new_y="NEXT")
        return
    rows = [
        (
            local_date(entry.date),
            entry.employee.name if entry.employee else "",
            KINDS[entry.kind],
            duration(entry.minutes),
        )
        for entry in order.time_entries
    ]
    table(pdf, (30, 70, 40, 34), "LLLR", ("Datum", "Medewerker", "Soort", "Tijd"), rows)
    totals = []
    for kind, label in KINDS.items():
        minutes = sum(e.minutes for e in order.time_entries if e.kind == kind)
        if minutes:
            totals.append(f"{label} {duration(minutes)}")
    pdf.set_font(FONT, "B", SIZE)
    pdf.cell(0, 6, plain("Totaal: " + ", ".join(totals)), align="R")
    pdf.ln(6)


def _materials(pdf: Pdf, order: WorkOrderArchivedV1) -> None:
    section(pdf, "Materialen")
    if not order.materials:
        pdf.cell(0, 5, "Geen materialen geboekt.", new_x="LMARGIN", new_y="NEXT")
        return
    rows = [
        (material.article.code, material.article.description, render_quantity(material.quantity))
        for material in order.materials
    ]
    table(pdf, (34, 116, 24), "LLR", ("Code", "Omschrijving", "Aantal"), rows)


def _forms(pdf: Pdf, order: WorkOrderArchivedV1) -> None:
    for form in order.forms:
        section(pdf, form.name)
        rows = [(q.label, q.answer_text() or "-") for q in form.questions]
        table(pdf, (80, 94), "LL", ("Vraag", "Antwoord"), rows)


def _signature(pdf: Pdf, document: WorkOrderDocument) -> None:
    signature = document.work_order.signature
    if signature is None or document.signature_png is None:
        section(pdf, "Handtekening klant")
        pdf.cell(0, 5, "Niet getekend.", new_x="LMARGIN", new_y="NEXT")
        return
    width, height = struct.unpack(">II", document.signature_png[16:24])  # from the IHDR
    drawn = SIGNATURE_WIDTH * height / width
    section(pdf, "Handtekening klant", keep=drawn + 12)
    pdf.image(io.BytesIO(document.signature_png), w=SIGNATURE_WIDTH, h=drawn)
    fields(pdf, [("Naam", signature.name), ("Datum", local_date(signature.signed_at))])


def render(document: WorkOrderDocument) -> bytes:
    order = document.work_order
    title = f"Werkbon {order.number}"
    pdf = Pdf(title)
    pdf.set_title(plain(title))
    pdf.set_author(plain(document.company))
    pdf.set_creator("Simon")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, plain(document.company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, plain(title), new_x="LMARGIN", new_y="NEXT")
    fields(
        pdf,
        [
            ("Status", STATUSES[document.status]),
            ("Gepland", local_date(order.planned_date)),
            ("Monteur", order.assignee.name if order.assignee else ""),
            ("Gereed gemeld", local_date(order.completed_at)),
        ],
    )
    _parties(pdf, order)
    section(pdf, "Omschrijving")
    paragraph(pdf, order.description or "-")
    _hours(pdf, order)
    _materials(pdf, order)
    _forms(pdf, order)
    _signature(pdf, document)
    return bytes(pdf.output())
