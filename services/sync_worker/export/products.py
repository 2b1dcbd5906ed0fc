"""Reading what an invoice needs from Rompslomp at export time, concurrently.

The configured work/travel/standard products are fetched from Rompslomp (not the local
articles table): the settings hold only their id, and the fetch gives the price and VAT
type in force *now* (R-EXPORT-5) and is at once the "configured product gone" check
(R-EXPORT-2). The invoice preview fetches the customer's contact too, so the office sees a
customer deleted in Rompslomp since the last sync before archiving; the export itself does
not (one request fewer per export): Rompslomp refuses the POST, the export looks its
reference up and fails in Rompslomp's words.

Materials carry their article's Rompslomp id and VAT type in the snapshot (kept by the
master-data sync, which deactivates articles deleted in Rompslomp); their product is
fetched only when the snapshot lacks a VAT type. A product deleted since the last sync is
refused by Rompslomp (422), which fails the export with Rompslomp's reason: two requests
fewer per export, which is what the latency budget needed.
A 404 is a problem for the user; any other failure propagates (the job retries).

A configured product found in Rompslomp is remembered for `PRODUCT_TTL` seconds per
process, keyed by the settings version (`saved_at`), so saving settings takes effect at
once (R-EXPORT-5) while a busy tenant does not read the same two products for every
archive; a product gone within that window is refused by Rompslomp at the POST instead.
An export that used a remembered product older than `REFRESH_AFTER` reads it again after
its POST (`refresh_ahead`, off the latency path): a busy tenant's products are then never
found expired, and an export does not wait for those reads (issue 10 §5). A product is
still never used when older than `PRODUCT_TTL`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.sync_worker.export import checks
from services.sync_worker.export.mapping import InvoiceSettings, ProductInfo
from services.sync_worker.rompslomp import NotFoundError, RompslompClient
from services.sync_worker.rompslomp.schemas import Product
from shared.enums import RecordSource
from shared.events import WorkOrderArchivedV1
from shared.models.integration_setup import IntegrationSettings

PRODUCT_TTL = 10.0
REFRESH_AFTER = 6.0
_MAX_REMEMBERED = 10_000
_remembered: dict[tuple[int, str, int, int], tuple[float, Product]] = {}
_refreshing: set[tuple[int, str, int, int]] = set()

PRODUCT_SETTINGS = (
    ("work_time_product", "werktijd", "work time"),
    ("travel_time_product", "reistijd", "travel time"),
    ("standard_product", "het standaard artikel", "standard article"),
)


@dataclass
class Resolved:
    settings: InvoiceSettings
    material_products: dict[int, ProductInfo] = field(default_factory=dict)
    problems: list[checks.Problem] = field(default_factory=list)


def product_info(product: Product) -> ProductInfo:
    line = product.invoice_line
    return ProductInfo(
        id=product.id,
        description=(line.description if line and line.description else None)
        or product.product_code
        or f"Product {product.id}",
        price=line.price_per_unit if line and line.price_per_unit is not None else Decimal(0),
        vat_type_id=line.vat_type_id if line else None,
    )


def stored_product(value: dict[str, Any] | None) -> ProductInfo | None:
    """A product as the settings stored it (no VAT type): the preview's fallback when
    Rompslomp cannot be asked."""
    if not value:
        return None
    return ProductInfo(
        id=int(value["id"]),
        description=str(value.get("description") or value.get("product_code") or value["id"]),
        price=Decimal(str(value.get("price_per_unit") or 0)),
        vat_type_id=None,
    )


def settings_as_stored(settings: IntegrationSettings) -> InvoiceSettings:
    return InvoiceSettings(
        work_time_product=stored_product(settings.work_time_product),
        travel_time_product=stored_product(settings.travel_time_product),
        standard_product=stored_product(settings.standard_product),
        description_as_first_line=settings.description_as_first_line,
    )


async def _product_or_none(call: Awaitable[Product]) -> Product | None:
    try:
        return await call
    except NotFoundError:
        return None


def forget_products() -> None:
    _remembered.clear()
    _refreshing.clear()


def _key(settings: IntegrationSettings, product_id: int) -> tuple[int, str, int, int]:
    return (
        settings.tenant_id,
        settings.saved_at.isoformat(),
        settings.administration_id,
        product_id,
    )


def _recalled(settings: IntegrationSettings, product_id: int) -> Product | None:
    hit = _remembered.get(_key(settings, product_id))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def _remember(settings: IntegrationSettings, product_id: int, product: Product) -> None:
    now = time.monotonic()
    if len(_remembered) >= _MAX_REMEMBERED:
        for stale in [k for k, (until, _) in _remembered.items() if until <= now]:
            del _remembered[stale]
        if len(_remembered) >= _MAX_REMEMBERED:
            _remembered.clear()
    _remembered[_key(settings, product_id)] = (now + PRODUCT_TTL, product)


def _due(settings: IntegrationSettings) -> list[int]:
    """Configured products remembered for longer than REFRESH_AFTER (or not at all)."""
    soon = time.monotonic() + PRODUCT_TTL - REFRESH_AFTER
    due = []
    for *_, value in _configured(settings):
        key = _key(settings, int(value["id"]))
        hit = _remembered.get(key)
        if (hit is None or hit[0] <= soon) and key not in _refreshing:
            due.append(int(value["id"]))
    return due


async def refresh_ahead(client: RompslompClient, settings: IntegrationSettings) -> int:
    """Read again the configured products an export just used from memory that are due
    (older than REFRESH_AFTER); how many were read. Call it after the POST: the next
    export finds them fresh. A product gone is forgotten (the next export asks and fails
    it as usual)."""
    due = _due(settings)
    if not due:
        return 0
    keys = [_key(settings, product_id) for product_id in due]
    _refreshing.update(keys)
    try:
        found = await asyncio.gather(
            *(_product_or_none(client.get_product(settings.administration_id, i)) for i in due)
        )
    finally:
        _refreshing.difference_update(keys)
    for product_id, key, product in zip(due, keys, found, strict=True):
        if product is None:
            _remembered.pop(key, None)
        else:
            _remember(settings, product_id, product)
    return len(due)


async def _configured_product(
    client: RompslompClient, settings: IntegrationSettings, product_id: int
) -> Product | None:
    product = _recalled(settings, product_id)
    if product is not None:
        return product
    product = await _product_or_none(client.get_product(settings.administration_id, product_id))
    if product is not None:
        _remember(settings, product_id, product)
    return product


async def _contact_exists(client: RompslompClient, company: int, contact_id: int) -> bool:
    try:
        await client.get_contact(company, contact_id)
    except NotFoundError:
        return False
    return True


def _configured(settings: IntegrationSettings) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (name, label, label_en, value)
        for name, label, label_en in PRODUCT_SETTINGS
        if (value := getattr(settings, name))
    ]


def _articles_to_read(snapshot: WorkOrderArchivedV1) -> list[int]:
    """Materials whose product is read from Rompslomp: only those without a VAT type."""
    return sorted(
        {
            m.article.rompslomp_id
            for m in snapshot.materials
            if m.article.rompslomp_id is not None
            and m.article.source == RecordSource.ROMPSLOMP
            and m.article.vat_type_id is None
        }
    )


def recall(settings: IntegrationSettings, snapshot: WorkOrderArchivedV1) -> Resolved | None:
    """What `resolve` would answer for an export, from memory alone; None when Rompslomp
    must be asked (a product not remembered, a material without a VAT type). Lets the
    sender decide and commit `sending` in one transaction."""
    if _articles_to_read(snapshot):
        return None
    chosen: dict[str, ProductInfo] = {}
    for name, _, _, value in _configured(settings):
        product = _recalled(settings, int(value["id"]))
        if product is None:
            return None
        chosen[name] = product_info(product)
    return Resolved(settings=_invoice_settings(settings, chosen))


def _invoice_settings(
    settings: IntegrationSettings, chosen: dict[str, ProductInfo]
) -> InvoiceSettings:
    return InvoiceSettings(
        work_time_product=chosen.get("work_time_product"),
        travel_time_product=chosen.get("travel_time_product"),
        standard_product=chosen.get("standard_product"),
        description_as_first_line=settings.description_as_first_line,
    )


async def resolve(
    client: RompslompClient,
    settings: IntegrationSettings,
    snapshot: WorkOrderArchivedV1,
    *,
    check_customer: bool = True,
) -> Resolved:
    company = settings.administration_id
    number = snapshot.number
    configured = _configured(settings)
    article_ids = _articles_to_read(snapshot)
    customer = snapshot.customer
    contact_id = customer.rompslomp_id if customer is not None and check_customer else None

    async def no_contact_check() -> bool:
        return True

    contact_found, configured_products, material_products = await asyncio.gather(
        _contact_exists(client, company, contact_id)
        if contact_id is not None
        else no_contact_check(),
        asyncio.gather(
            *(_configured_product(client, settings, int(v["id"])) for *_, v in configured)
        ),
        asyncio.gather(*(_product_or_none(client.get_product(company, i)) for i in article_ids)),
    )

    problems: list[checks.Problem] = []
    if not contact_found and customer is not None:
        problems.append(checks.customer_gone(number, customer.name))
    chosen: dict[str, ProductInfo] = {}
    for (name, label, label_en, value), product in zip(
        configured, configured_products, strict=True
    ):
        if product is None:
            code = str(value.get("product_code") or value["id"])
            problems.append(checks.product_gone(number, label, label_en, code))
        else:
            chosen[name] = product_info(product)
    codes = {m.article.rompslomp_id: m.article.code for m in snapshot.materials}
    found: dict[int, ProductInfo] = {}
    for article_id, product in zip(article_ids, material_products, strict=True):
        if product is None:
            problems.append(checks.article_gone(number, codes[article_id]))
        else:
            found[article_id] = product_info(product)
    return Resolved(
        settings=_invoice_settings(settings, chosen), material_products=found, problems=problems
    )
