"""From an archived work order to a concept invoice (R-EXPORT-3): pure functions, Decimal.

Lines, in order: the work description as a text-only line (setting), the answers of form
questions marked `on_invoice` as text-only lines ("Meterstand: 12345"), work time, travel
time, each material, the standard article. Hours are the entries' minutes summed, / 60, rounded
half-up to 2 decimals (15 → 0.25, 20 → 0.33, 120 → 2); lines with quantity 0 are left out.
Prices are excluding VAT, as Rompslomp expects; each line carries its product's VAT type.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.sync_worker.rompslomp.schemas import SalesInvoiceCreate, SalesInvoiceLineCreate
from shared.enums import TimeEntryKind
from shared.events import WorkOrderArchivedV1

CENT = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)
DESCRIPTION_LIMIT = 255  # Rompslomp's maximum for a line's `description`
# A text-only line: Rompslomp requires a price; nothing to charge, quantity 1.
TEXT_LINE_PRICE = Decimal("0")
TEXT_LINE_QUANTITY = Decimal("1")


@dataclass(frozen=True)
class ProductInfo:
    """A Rompslomp product as an invoice line needs it (read from Rompslomp at export)."""

    id: int
    description: str
    price: Decimal
    vat_type_id: int | None


@dataclass(frozen=True)
class InvoiceSettings:
    """The settings in force when the export runs (R-EXPORT-5), products resolved."""

    work_time_product: ProductInfo | None = None
    travel_time_product: ProductInfo | None = None
    standard_product: ProductInfo | None = None
    description_as_first_line: bool = False


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    price_per_unit: Decimal
    vat_type_id: int | None = None
    product_id: int | None = None
    extended_description: str | None = None

    def to_create(self) -> SalesInvoiceLineCreate:
        return SalesInvoiceLineCreate(
            description=self.description,
            extended_description=self.extended_description,
            price_per_unit=self.price_per_unit,
            quantity=self.quantity,
            vat_type_id=self.vat_type_id,
            product_id=self.product_id,
        )


def api_reference(tenant_id: int, work_order_id: int, archive_seq: int = 1) -> str:
    """One per work order, kept for every archive of it while nothing was created (a failed
    or skipped export): Rompslomp keeps `api_reference` unique per company, so a second
    invoice for the same work order is refused there too. Only after the concept invoice
    was deleted in Rompslomp (`removed`) does the next archive carry its sequence
    (`simon-7-wo-42-2`), so it never collides with the deleted one."""
    base = f"simon-{tenant_id}-wo-{work_order_id}"
    return base if archive_seq <= 1 else f"{base}-{archive_seq}"


def round_quantity(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours(minutes: int) -> Decimal:
    """Minutes as hours, half-up to 2 decimals: 15 → 0.25, 20 → 0.33, 120 → 2.00."""
    return round_quantity(Decimal(minutes) / MINUTES_PER_HOUR)


def matches_filter_word(description: str, filter_word: str | None) -> bool:
    """R-EXPORT-4: case-insensitive substring; an empty filter word matches nothing."""
    word = (filter_word or "").strip()
    return bool(word) and word.casefold() in description.casefold()


def split_description(text: str) -> tuple[str, str | None]:
    """The first 255 characters for `description`, the rest for `extended_description`."""
    if len(text) <= DESCRIPTION_LIMIT:
        return text, None
    return text[:DESCRIPTION_LIMIT], text[DESCRIPTION_LIMIT:]


def invoice_description(snapshot: WorkOrderArchivedV1) -> str:
    """Names the work order and, when set, its work address and the object worked on
    (Rompslomp invoices have no field for either)."""
    text = f"Werkbon {snapshot.number}"
    address = snapshot.work_address
    if address is not None:
        place = " ".join(part for part in (address.zipcode, address.city) if part)
        where = ", ".join(part for part in (address.street, place) if part)
        if where:
            text += f", werkadres {where}"
    if snapshot.object is not None and snapshot.object.title:
        text += f", object: {snapshot.object.title}"
    return text


def _text_line(text: str) -> InvoiceLine:
    description, extended = split_description(text)
    return InvoiceLine(
        description=description,
        extended_description=extended,
        quantity=TEXT_LINE_QUANTITY,
        price_per_unit=TEXT_LINE_PRICE,
    )


def answer_lines(snapshot: WorkOrderArchivedV1) -> list[InvoiceLine]:
    """`Label: answer` for each answered question marked `on_invoice`, form by form."""
    lines = []
    for form in snapshot.forms:
        for question in form.questions:
            answer = question.answer_text() if question.on_invoice else None
            if answer is not None:
                lines.append(_text_line(f"{question.label}: {answer}"))
    return lines


def _minutes(snapshot: WorkOrderArchivedV1, kind: str) -> int:
    return sum(entry.minutes for entry in snapshot.time_entries if entry.kind == kind)


def _product_line(product: ProductInfo, quantity: Decimal) -> InvoiceLine:
    description, extended = split_description(product.description)
    return InvoiceLine(
        description=description,
        extended_description=extended,
        quantity=quantity,
        price_per_unit=product.price,
        vat_type_id=product.vat_type_id,
        product_id=product.id,
    )


def invoice_lines(
    snapshot: WorkOrderArchivedV1,
    settings: InvoiceSettings,
    material_products: dict[int, ProductInfo] | None = None,
) -> list[InvoiceLine]:
    """The invoice lines of R-EXPORT-3. `material_products` (by Rompslomp id) gives the
    current VAT type of a material's product; the snapshot's is used when absent."""
    found = material_products or {}
    lines: list[InvoiceLine] = []
    text = snapshot.description.strip()
    if settings.description_as_first_line and text:
        lines.append(_text_line(text))
    lines.extend(answer_lines(snapshot))
    for product, kind in (
        (settings.work_time_product, TimeEntryKind.WORK),
        (settings.travel_time_product, TimeEntryKind.TRAVEL),
    ):
        if product is not None:
            lines.append(_product_line(product, hours(_minutes(snapshot, kind))))
    for material in snapshot.materials:
        article = material.article
        current = found.get(article.rompslomp_id) if article.rompslomp_id is not None else None
        description, extended = split_description(article.description)
        lines.append(
            InvoiceLine(
                description=description,
                extended_description=extended,
                quantity=round_quantity(material.quantity),
                price_per_unit=material.unit_price,
                vat_type_id=current.vat_type_id
                if current and current.vat_type_id is not None
                else article.vat_type_id,
                product_id=article.rompslomp_id,
            )
        )
    if settings.standard_product is not None:
        lines.append(_product_line(settings.standard_product, Decimal(1)))
    return [line for line in lines if line.quantity != 0]


def sales_invoice(
    snapshot: WorkOrderArchivedV1, lines: list[InvoiceLine], *, contact_id: int
) -> SalesInvoiceCreate:
    """The concept invoice to POST (never `_publish`)."""
    return SalesInvoiceCreate(
        contact_id=contact_id,
        api_reference=api_reference(snapshot.tenant_id, snapshot.work_order_id),
        description=invoice_description(snapshot),
        invoice_lines=[line.to_create() for line in lines],
    )
