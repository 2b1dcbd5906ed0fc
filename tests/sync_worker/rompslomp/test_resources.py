"""Endpoints, envelopes and typed models (Decimal money, unknown fields kept)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import respx

from services.sync_worker.rompslomp import (
    Product,
    RompslompClient,
    SalesInvoiceCreate,
    SalesInvoiceLineCreate,
)
from tests.sync_worker.rompslomp.support import COMPANY, json_of

BASE = f"/api/v1/companies/{COMPANY}"

INVOICE = {
    "id": 1442281642,
    "date": "2024-03-01",
    "due_date": "2024-03-15",
    "payment_method": "pay_transfer",
    "description": "Werkbon 2024-0007",
    "status": "concept",
    "price_without_vat": "300.0",
    "price_with_vat": "363.0",
    "vat_amount": "63.0",
    "contact_id": 42,
    "invoice_number": None,
    "published_at": None,
    "api_reference": "simon-wo-1-7",
    "cached_contact": {"name": "Klant B.V.", "city": "Utrecht"},
    "invoice_lines": [
        {
            "id": 1,
            "description": "Arbeid",
            "price_per_unit": "75.0",
            "quantity": "4.0",
            "vat_type_id": 708176756,
            "price_without_vat": "300.0",
        }
    ],
}


def product(number: int, code: str) -> dict[str, object]:
    return {
        "id": 900 + number,
        "number_sold": 0,
        "has_stock": False,
        "invoice_line": {
            "description": f"Artikel {number}",
            "price_per_unit": "1895.0",
            "vat_type_id": 708176756,
            "product_code": code,
            "quantity": "1.0",
        },
    }


async def test_create_sales_invoice_posts_the_envelope_with_decimal_strings(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.post(f"{BASE}/sales_invoices").mock(
        return_value=httpx.Response(201, json={"sales_invoice": INVOICE})
    )
    invoice = SalesInvoiceCreate(
        contact_id=42,
        api_reference="simon-wo-1-7",
        date=date(2024, 3, 1),
        description="Werkbon 2024-0007",
        invoice_lines=[
            SalesInvoiceLineCreate(
                description="Arbeid",
                price_per_unit=Decimal("75.00"),
                quantity=Decimal("4"),
                vat_type_id=708176756,
            )
        ],
    )

    created = await client.create_sales_invoice(COMPANY, invoice)

    assert json_of(route.calls.last.request) == {
        "sales_invoice": {
            "contact_id": 42,
            "api_reference": "simon-wo-1-7",
            "date": "2024-03-01",
            "description": "Werkbon 2024-0007",
            "invoice_lines": [
                {
                    "description": "Arbeid",
                    "price_per_unit": "75.00",
                    "quantity": "4",
                    "vat_type_id": 708176756,
                }
            ],
        }
    }
    assert created.status == "concept"
    assert created.price_with_vat == Decimal("363.0")
    assert created.invoice_lines[0].quantity == Decimal("4.0")


async def test_publish_trigger_is_sent_as_underscore_publish() -> None:
    invoice = SalesInvoiceCreate(contact_id=1, publish=True)

    assert invoice.to_payload() == {"contact_id": 1, "_publish": True, "invoice_lines": []}


async def test_invoices_by_api_reference_trust_the_server_side_filter(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    # A list that does not echo api_reference is still the filter's answer.
    route = api.get(f"{BASE}/sales_invoices").mock(
        return_value=httpx.Response(
            200,
            headers={"X-Total": "1"},
            json={"sales_invoices": [{**INVOICE, "api_reference": None}]},
        )
    )

    found = await client.find_sales_invoices_by_api_reference(COMPANY, "simon-wo-1-7")

    assert [invoice.id for invoice in found] == [1442281642]
    assert route.calls.last.request.url.params["search[api_reference]"] == "simon-wo-1-7"


async def test_invoices_by_api_reference_are_empty_when_absent(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(f"{BASE}/sales_invoices").mock(
        return_value=httpx.Response(200, headers={"X-Total": "0"}, json={"sales_invoices": []})
    )

    assert await client.find_sales_invoices_by_api_reference(COMPANY, "simon-wo-1-8") == []


async def test_invoices_are_listed_by_invoice_date_range(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(f"{BASE}/sales_invoices").mock(
        return_value=httpx.Response(
            200, headers={"X-Total": "1"}, json={"sales_invoices": [INVOICE]}
        )
    )

    listing = client.iter_sales_invoices(
        COMPANY, date_from=date(2026, 9, 1), date_till=date(2026, 12, 1)
    )

    assert [invoice.id for invoice in await listing.collect()] == [1442281642]
    params = route.calls.last.request.url.params
    assert (params["search[from]"], params["search[till]"]) == ("2026-09-01", "2026-12-01")


async def test_find_product_by_code_filters_by_product_code_and_matches_exactly(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(f"{BASE}/products").mock(
        return_value=httpx.Response(200, json={"products": [product(1, "P10"), product(2, "P1")]})
    )

    found = await client.find_product_by_code(COMPANY, "P1")

    assert found is not None
    assert found.id == 902
    assert found.invoice_line is not None
    assert found.invoice_line.price_per_unit == Decimal("1895.0")
    assert route.calls.last.request.url.params.get_list("search[product_codes][]") == ["P1"]


async def test_list_products_reads_all_pages(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        items = [product(n, f"P{n}") for n in range((page - 1) * 100 + 1, min(120, page * 100) + 1)]
        return httpx.Response(200, headers={"X-Total": "120"}, json={"products": items})

    api.get(f"{BASE}/products").mock(side_effect=pages)

    products = await client.list_products(COMPANY)

    assert len(products) == 120
    assert all(isinstance(p, Product) for p in products)


async def test_get_product_unwraps_the_singular_envelope(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get(f"{BASE}/products/901").mock(
        return_value=httpx.Response(200, json={"product": product(1, "P1")})
    )

    assert (await client.get_product(COMPANY, 901)).product_code == "P1"


async def test_list_vat_types_parses_rates_as_decimals_and_passes_since(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get(f"{BASE}/vat_types").mock(
        return_value=httpx.Response(
            200,
            headers={"X-Total": "2"},
            json={
                "vat_types": [
                    {"id": 748551423, "name": "vat_high", "friendly_name": "hoog", "value": "0.21"},
                    {
                        "id": 768107468,
                        "name": "vat_low_new",
                        "friendly_name": "laag",
                        "value": "0.09",
                    },
                ]
            },
        )
    )

    vat_types = await client.list_vat_types(COMPANY, since=date(2016, 1, 31))

    assert [v.value for v in vat_types] == [Decimal("0.21"), Decimal("0.09")]
    assert route.calls.last.request.url.params["since"] == "2016-01-31"


async def test_list_companies_keeps_access_control_and_unknown_fields(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    api.get("/api/v1/companies").mock(
        return_value=httpx.Response(
            200,
            headers={"X-Total": "1"},
            json={
                "companies": [
                    {
                        "id": 1001,
                        "name": "Installatiebedrijf De Vries",
                        "access_control": {
                            "api_accessible": True,
                            "allowed_scopes": ["public", "manage:contacts"],
                        },
                        "brand_new_field": "kept",
                    }
                ]
            },
        )
    )

    (company,) = await client.list_companies()

    assert company.allows("public", "manage:contacts")
    assert not company.allows("manage:products")
    assert company.model_extra == {"brand_new_field": "kept"}


async def test_me_reads_the_token_owner(api: respx.MockRouter, client: RompslompClient) -> None:
    api.get("/api/v1/me").mock(
        return_value=httpx.Response(
            200, json={"me": {"first_name": "Rob S.", "last_name": "Lomp", "email": "r@e.org"}}
        )
    )

    assert (await client.me()).last_name == "Lomp"


async def test_requests_carry_the_bearer_token_and_accept_json(
    api: respx.MockRouter, client: RompslompClient
) -> None:
    route = api.get("/api/v1/me").mock(
        return_value=httpx.Response(200, json={"me": {"first_name": None}})
    )

    await client.me()

    headers = route.calls.last.request.headers
    assert headers["Authorization"].startswith("Bearer ")
    assert headers["Accept"] == "application/json"
