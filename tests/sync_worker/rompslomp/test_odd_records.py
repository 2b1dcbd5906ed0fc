"""A page with an odd record (issue 11 §1): validated in one pass, and only when that fails
record by record, so the others still arrive and the odd one is handed back as rejected,
with its id when it has a usable one; NUL characters never reach Simon."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx
import pytest
import respx

from services.sync_worker.masterdata.records import ContactRecord, ProductRecord
from services.sync_worker.rompslomp import FatalError, RompslompClient
from tests.sync_worker.rompslomp.support import COMPANY, contact

CONTACTS = f"/api/v1/companies/{COMPANY}/contacts"
PRODUCTS = f"/api/v1/companies/{COMPANY}/products"


def page(key: str, records: Sequence[object]) -> httpx.Response:
    headers = {"X-Page": "1", "X-Per-Page": "100", "X-Total": str(len(records))}
    return httpx.Response(200, headers=headers, content=json.dumps({key: records}).encode())


async def test_one_odd_record_leaves_the_rest_of_the_page(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    records = [contact(n) for n in range(1, 6)]
    records[1] = {**records[1], "id": "not a number"}
    records[3] = {**records[3], "is_supplier": "perhaps"}
    api.get(CONTACTS).mock(return_value=page("contacts", records))

    listing = client.iter_collection(COMPANY, "contacts", ContactRecord, selection="customers")
    (only,) = [p async for p in listing]

    assert [c["id"] for c in only.items] == [500_001, 500_003, 500_005]
    assert [r.id for r in only.rejected] == [None, 500_004]
    assert only.rejected[1].errors[0]["loc"] == ("is_supplier",)
    assert listing.exhausted
    assert listing.complete  # every record Rompslomp listed was received, odd or not


async def test_bounds_simon_cannot_store_reject_the_record(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    def product(n: int, **line: object) -> dict[str, object]:
        base = {"description": f"P{n}", "price_per_unit": "1.0", "product_code": f"P{n}"}
        return {"id": n, "invoice_line": {**base, **line}}

    records = [
        product(1),
        product(2, price_per_unit="99999999999.00"),
        product(3, price_per_unit="-1"),
        product(4, vat_rate="150"),
        product(5, product_code="X" * 101),
        {"id": 2**64, "invoice_line": None},
        product(7, price_per_unit="twaalf"),
    ]
    api.get(PRODUCTS).mock(return_value=page("products", records))

    (only,) = [p async for p in client.iter_collection(COMPANY, "products", ProductRecord)]

    assert [p["id"] for p in only.items] == [1]
    kinds = {r.id: r.errors[0]["type"] for r in only.rejected}
    assert kinds == {
        2: "less_than",
        3: "greater_than_equal",
        4: "less_than_equal",
        5: "string_too_long",
        None: "less_than_equal",
        7: "decimal_parsing",
    }


async def test_nul_characters_are_taken_out(api: respx.MockRouter, client: RompslompClient) -> None:
    records = [{**contact(1), "company_name": "Bakkerij\u0000 Jansen", "city": "\\u0000"}]
    api.get(CONTACTS).mock(return_value=page("contacts", records))

    (only,) = [p async for p in client.iter_collection(COMPANY, "contacts", ContactRecord)]

    assert only.items[0]["company_name"] == "Bakkerij Jansen"
    assert only.items[0]["city"] == "\\u0000"  # the text backslash-u-0000 is not a NUL


@pytest.mark.parametrize("body", [b"<html>busy</html>", b'{"contacts": "none"}', b"[]"])
async def test_a_page_that_is_no_listing_is_still_refused(
    api: respx.MockRouter, client: RompslompClient, body: bytes
) -> None:
    api.get(CONTACTS).mock(return_value=httpx.Response(200, content=body))

    with pytest.raises(FatalError) as caught:
        await client.iter_collection(COMPANY, "contacts", ContactRecord).collect()
    assert caught.value.code == "unexpected_body"
