"""Finding our invoice in Rompslomp by `api_reference`, not trusting more than is documented.

Rompslomp documents the `search[api_reference]` filter, not that list results echo the
field: the filter's answer is trusted, an item that does echo a *different* reference is
not ours, and a single hit is confirmed with a GET of that invoice (gone by then: not
found). More than one hit means Rompslomp holds duplicates (its uniqueness check is not
promised to be race-free): the oldest is ours, the rest are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.sync_worker.rompslomp import NotFoundError, RompslompClient


@dataclass(frozen=True)
class Found:
    invoice_id: int
    duplicates: tuple[int, ...] = ()


async def find_invoice(
    client: RompslompClient, administration_id: int, api_reference: str
) -> Found | None:
    hits = await client.find_sales_invoices_by_api_reference(administration_id, api_reference)
    ids = sorted(hit.id for hit in hits if hit.api_reference in (None, api_reference))
    if not ids:
        return None
    if len(ids) > 1:
        return Found(ids[0], tuple(ids[1:]))
    try:
        invoice = await client.get_sales_invoice(administration_id, ids[0])
    except NotFoundError:
        return None  # deleted since the listing
    if invoice.api_reference not in (None, api_reference):
        return None
    return Found(invoice.id)


async def invoice_exists(client: RompslompClient, administration_id: int, invoice_id: int) -> bool:
    """A GET of the invoice: a 404 is the only "no" (anything else raises)."""
    try:
        await client.get_sales_invoice(administration_id, invoice_id)
    except NotFoundError:
        return False
    return True
