"""The control plane: reset, seeding, edits as a Rompslomp user, demo data."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from services.rompslomp_sandbox.app import create_app
from services.rompslomp_sandbox.settings import SandboxSettings

ZIPCODE = re.compile(r"^[1-9]\d{3} [A-Z]{2}$")


async def list_contacts(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], **params: Any
) -> httpx.Response:
    return await client.get(f"{base}/contacts", params=params, headers=auth)


async def test_reset_empties_companies_and_clears_faults(
    client: httpx.AsyncClient, company_id: int
) -> None:
    await client.put("/_sandbox/faults", json={"error_rate": 1.0})
    assert (await client.post("/_sandbox/reset")).status_code == 204
    tokens = (await client.post("/_sandbox/tokens", json={})).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    response = await client.get("/api/v1/companies", headers=auth)
    assert response.status_code == 200
    assert response.json() == {"companies": []}
    assert (await client.get("/_sandbox/faults")).json()["error_rate"] == 0


async def test_seeded_contacts_look_dutch(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"contacts": 50, "seed": 3})
    contacts = (await list_contacts(client, base, auth, per_page=50)).json()["contacts"]
    assert all(ZIPCODE.match(c["zipcode"]) for c in contacts)
    assert all(c["country_code"] == "NL" for c in contacts)
    assert all(c["name"] for c in contacts)
    assert [c["contact_number"] for c in contacts[:2]] == ["K00001", "K00002"]


async def test_seeded_products_carry_decimal_prices(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"products": 3})
    products = (await client.get(f"{base}/products", headers=auth)).json()["products"]
    assert products[0]["invoice_line"]["description"] == "Cv-ketel onderhoud"
    assert products[0]["invoice_line"]["price_per_unit"] == "89.0"


async def seeded_names(seed: int) -> list[str]:
    app = create_app(SandboxSettings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        company = (await client.post("/_sandbox/companies", json={"name": "A"})).json()
        company_id = company["company"]["id"]
        body = {"contacts": 20, "products": 20, "seed": seed}
        await client.post(f"/_sandbox/companies/{company_id}/seed", json=body)
        tokens = (await client.post("/_sandbox/tokens", json={})).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        base = f"/api/v1/companies/{company_id}"
        contacts = (await list_contacts(client, base, auth)).json()["contacts"]
    return [f"{c['name']}|{c['address']}|{c['zipcode']}" for c in contacts]


async def test_seeding_is_deterministic_for_a_seed() -> None:
    assert await seeded_names(5) == await seeded_names(5)
    assert await seeded_names(5) != await seeded_names(6)


async def test_seeding_100k_contacts_takes_seconds_and_a_page_stays_cheap(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    started = time.perf_counter()
    response = await client.post(
        f"/_sandbox/companies/{company_id}/seed", json={"contacts": 100_000}
    )
    seeded_in = time.perf_counter() - started
    assert response.json()["contacts"] == 100_000
    assert seeded_in < 10

    started = time.perf_counter()
    page = await list_contacts(client, base, auth, page=900, per_page=100)
    listed_in = time.perf_counter() - started
    assert len(page.json()["contacts"]) == 100
    assert page.headers["X-Total"] == "100000"
    assert listed_in < 0.5


async def test_control_plane_edits_show_up_in_the_api(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    created = await client.post(
        f"/_sandbox/companies/{company_id}/contacts", json={"company_name": "Visser Bouw"}
    )
    contact_id = created.json()["contact"]["id"]
    edited = await client.patch(
        f"/_sandbox/companies/{company_id}/contacts/{contact_id}", json={"city": "Hoorn"}
    )
    assert edited.status_code == 200
    shown = await client.get(f"{base}/contacts/{contact_id}", headers=auth)
    assert shown.json()["contact"]["city"] == "Hoorn"


async def test_control_plane_delete_removes_a_product_from_the_list(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    created = await client.post(
        f"/_sandbox/companies/{company_id}/products",
        json={"invoice_line": {"description": "Rookmelder", "price_per_unit": "29.95"}},
    )
    product_id = created.json()["product"]["id"]
    deleted = await client.delete(f"/_sandbox/companies/{company_id}/products/{product_id}")
    assert deleted.status_code == 204
    listed = (await client.get(f"{base}/products", headers=auth)).json()
    assert listed == {"products": []}


async def test_deleting_from_the_middle_keeps_paging_consistent(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"contacts": 10})
    ids = [c["id"] for c in (await list_contacts(client, base, auth)).json()["contacts"]]
    await client.delete(f"/_sandbox/companies/{company_id}/contacts/{ids[4]}")
    page = (await list_contacts(client, base, auth, page=2, per_page=3)).json()["contacts"]
    assert [c["id"] for c in page] == [ids[3], ids[5], ids[6]]


async def test_control_plane_on_unknown_company_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/companies/42/seed", json={"contacts": 1})
    assert response.status_code == 404


async def test_expire_without_body_expires_every_access_token(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert (await client.post("/_sandbox/tokens/expire")).status_code == 204
    assert (await client.get("/api/v1/companies", headers=auth)).status_code == 401


async def test_minted_token_defaults_to_the_four_product_scopes(
    client: httpx.AsyncClient,
) -> None:
    tokens = (await client.post("/_sandbox/tokens", json={})).json()
    assert tokens["scope"] == "public manage:contacts manage:sales_invoices manage:products"
    assert tokens["expires_in"] == 7200
    assert tokens["token_type"] == "Bearer"


async def test_seed_demo_creates_the_installer_and_a_free_company() -> None:
    app = create_app(SandboxSettings(seed_demo=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        tokens = (await client.post("/_sandbox/tokens", json={})).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        companies = (await client.get("/api/v1/companies", headers=auth)).json()["companies"]
        demo = companies[0]["id"]
        contacts = await client.get(f"/api/v1/companies/{demo}/contacts", headers=auth)
        products = await client.get(f"/api/v1/companies/{demo}/products", headers=auth)
    assert [c["name"] for c in companies] == [
        "Installatiebedrijf De Vries B.V.",
        "Hobbyproject (Gratis)",
    ]
    assert [c["access_control"]["api_accessible"] for c in companies] == [True, False]
    assert contacts.headers["X-Total"] == "25"
    assert products.headers["X-Total"] == "15"
