"""The work order as the customer receives it: a PDF drawn with fpdf2, from the work
order's snapshot (shared/snapshot.py, the same shape the archive sends) — a pure function.

The 14 standard PDF fonts need no font file and no subsetting (fast: bench/work_order_pdf.py);
they write Windows-1252, which covers Dutch (ë, é, €). Anything outside it prints as `?`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF, FontFace

from shared.clock import AMSTERDAM
from shared.events import WorkOrderArchivedV1

ENCODING = "windows-1252"
FONT = "Helvetica"
GREY = (235, 235, 235)
KINDS = {"work": "Werktijd", "travel": "Reistijd"}
STATUSES = {
    "created": "aangemaakt",
    "planned": "gepland",
    "completed": "gereed gemeld",
    "archived": "gearchiveerd",
}
SIGNATURE_WIDTH = 70.0  # mm
HEADING = FontFace(emphasis="BOLD", fill_color=GREY)


@dataclass(frozen=True)
class WorkOrderDocument:
    company: str
    status: str
    work_order: WorkOrderArchivedV1
    signature_png: bytes | None = None


def plain(text: str | None) -> str:
    """Text the standard fonts can write."""
    return (text or "").encode(ENCODING, errors="replace").decode(ENCODING)


def local_date(moment: dt.date | dt.datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return moment.strftime("%d-%m-%Y")


def duration(minutes: int) -> str:
    """120 → `2:00 uur`."""
    return f"{minutes // 60}:{minutes % 60:02d} uur"


def quantity(value: object) -> str:
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.core_fonts_encoding = ENCODING
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, plain(f"{self.title_text} · pagina {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)


def _section(pdf: _Pdf, title: str) -> None:
    pdf.ln(3)
    if pdf.will_page_break(14):
        pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, plain(title), new_x="LMARGIN", new_y="NEXT", border="B")
    pdf.ln(1.5)
    pdf.set_font(FONT, size=9.5)


def _fields(pdf: _Pdf, pairs: Sequence[tuple[str, str]]) -> None:
    """Label: value lines, skipping empty values."""
    for label, value in pairs:
        if not value:
            continue
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(38, 5, plain(label))
        pdf.set_font(FONT, size=9.5)
        pdf.multi_cell(0, 5, plain(value), new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: _Pdf, widths: Sequence[float], align: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align),
        headings_style=HEADING,
        line_height=5,
        padding=(0.8, 1.5),
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(plain(cell))


def _parties(pdf: _Pdf, order: WorkOrderArchivedV1) -> None:
    customer = order.customer
    _section(pdf, "Klant")
    if customer is None:
        _fields(pdf, [("Klant", "geen klant gekozen")])
    else:
        place = " ".join(p for p in (customer.zipcode, customer.city) if p)
        _fields(
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
        _fields(pdf, [("Werkadres", ", ".join(p for p in (address.street, place) if p))])
    person = order.contact_person
    if person is not None:
        reach = ", ".join(p for p in (person.phone, person.email) if p)
        role = f" ({person.function})" if person.function else ""
        _fields(pdf, [("Contactpersoon", person.name + role + (f" · {reach}" if reach else ""))])
    thing = order.object
    if thing is not None:
        serial = f" · serienummer {thing.serial_number}" if thing.serial_number else ""
        _fields(pdf, [("Object", thing.title + serial)])


def _hours(pdf: _Pdf, order: WorkOrderArchivedV1) -> None:
    _section(pdf, "Uren")
    if not order.time_entries:
        pdf.cell(0, 5, "Geen uren geboekt.", new_x="LMARGIN", new_y="NEXT")
        return
    rows = [("Datum", "Medewerker", "Soort", "Tijd")]
    rows += [
        (
            local_date(entry.date),
            entry.employee.name if entry.employee else "",
            KINDS[entry.kind],
            duration(entry.minutes),
        )
        for entry in order.time_entries
    ]
    _table(pdf, (30, 70, 40, 34), ("LEFT", "LEFT", "LEFT", "RIGHT"), rows)
    totals = []
    for kind, label in KINDS.items():
        minutes = sum(e.minutes for e in order.time_entries if e.kind == kind)
        if minutes:
            totals.append(f"{label} {duration(minutes)}")
    pdf.set_font(FONT, "B", 9.5)
    pdf.cell(0, 6, plain("Totaal: " + ", ".join(totals)), align="R")
    pdf.ln(6)


def _materials(pdf: _Pdf, order: WorkOrderArchivedV1) -> None:
    _section(pdf, "Materialen")
    if not order.materials:
        pdf.cell(0, 5, "Geen materialen geboekt.", new_x="LMARGIN", new_y="NEXT")
        return
    rows = [("Code", "Omschrijving", "Aantal")]
    rows += [
        (material.article.code, material.article.description, quantity(material.quantity))
        for material in order.materials
    ]
    _table(pdf, (34, 116, 24), ("LEFT", "LEFT", "RIGHT"), rows)


def _forms(pdf: _Pdf, order: WorkOrderArchivedV1) -> None:
    for form in order.forms:
        _section(pdf, form.name)
        rows = [("Vraag", "Antwoord")]
        rows += [(q.label, q.answer_text() or "-") for q in form.questions]
        _table(pdf, (80, 94), ("LEFT", "LEFT"), rows)


def _signature(pdf: _Pdf, document: WorkOrderDocument) -> None:
    signature = document.work_order.signature
    _section(pdf, "Handtekening klant")
    if signature is None or document.signature_png is None:
        pdf.cell(0, 5, "Niet getekend.", new_x="LMARGIN", new_y="NEXT")
        return
    if pdf.will_page_break(45):
        pdf.add_page()
    pdf.image(io.BytesIO(document.signature_png), w=SIGNATURE_WIDTH, keep_aspect_ratio=True)
    _fields(pdf, [("Naam", signature.name), ("Datum", local_date(signature.signed_at))])


def render(document: WorkOrderDocument) -> bytes:
    order = document.work_order
    title = f"Werkbon {order.number}"
    pdf = _Pdf(title)
    pdf.set_title(plain(title))
    pdf.set_author(plain(document.company))
    pdf.set_creator("Simon")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 8, plain(document.company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, plain(title), new_x="LMARGIN", new_y="NEXT")
    _fields(
        pdf,
        [
            ("Status", STATUSES.get(document.status, document.status)),
            ("Gepland", local_date(order.planned_date)),
            ("Monteur", order.assignee.name if order.assignee else ""),
            ("Gereed gemeld", local_date(order.completed_at)),
        ],
    )
    _parties(pdf, order)
    _section(pdf, "Omschrijving")
    pdf.multi_cell(0, 5, plain(order.description or "-"), new_x="LMARGIN", new_y="NEXT")
    _hours(pdf, order)
    _materials(pdf, order)
    _forms(pdf, order)
    _signature(pdf, document)
    return bytes(pdf.output())
