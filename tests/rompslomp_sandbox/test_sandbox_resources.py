"""Envelopes, field shapes and CRUD of companies, me, contacts, products and VAT types."""

from __future__ import annotations

import httpx

from tests.rompslomp_sandbox.support import vat_type_id


async def test_health_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}


async def test_companies_list_is_wrapped_in_plural_envelope_with_access_control(
    client: httpx.AsyncClient, company_id: int, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/companies", headers=auth)
    assert response.status_code == 200
    [company] = response.json()["companies"]
    assert company["id"] == company_id
    assert company["access_control"]["api_accessible"] is True
    assert "manage:sales_invoices" in company["access_control"]["allowed_scopes"]
    assert response.headers["content-type"].startswith("application/json")


async def test_ids_are_big_integers(company_id: int) -> None:
    assert isinstance(company_id, int)
    assert company_id > 100_000_000


async def test_me_returns_the_implicit_user(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/me", headers=auth)
    assert set(response.json()["me"]) == {"first_name", "last_name", "email"}


async def test_api_creates_company_with_standard_vat_types(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = {"company": {"name": "Nieuw B.V.", "vat_number": "NL001234567B01"}}
    created = await client.post("/api/v1/companies", json=body, headers=auth)
    assert created.status_code == 201
    company_id = created.json()["company"]["id"]
    vat_types = await client.get(f"/api/v1/companies/{company_id}/vat_types", headers=auth)
    names = [v["name"] for v in vat_types.json()["vat_types"]]
    assert names[:2] == ["vat_high", "vat_low_new"]


async def test_vat_types_render_rates_as_decimal_strings(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/vat_types", headers=auth)
    rates = {v["name"]: v["value"] for v in response.json()["vat_types"]}
    assert rates["vat_high"] == "0.21"
    assert rates["vat_low_new"] == "0.09"
    assert rates["vat_zero"] == "0.0"
    assert "vat_low" not in rates


async def test_vat_types_since_an_old_date_include_the_old_low_rate(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/vat_types", params={"since": "2018-06-01"}, headers=auth)
    rates = {v["name"]: v["value"] for v in response.json()["vat_types"]}
    assert rates["vat_low"] == "0.06"


async def test_vat_type_show_uses_singular_envelope(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    vat_id = await vat_type_id(client, base, auth, "vat_high")
    response = await client.get(f"{base}/vat_types/{vat_id}", headers=auth)
    assert response.json()["vat_type"]["friendly_name"] == "hoog"


async def test_contact_create_returns_201_with_all_fields_and_nulls(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = {"contact": {"company_name": "Slagerij de Boer", "city": "Zwolle"}}
    response = await client.post(f"{base}/contacts", json=body, headers=auth)
    assert response.status_code == 201
    contact = response.json()["contact"]
    assert contact["name"] == "Slagerij de Boer"
    assert contact["contact_number"] == "K00001"
    assert contact["phone"] is None
    assert len(contact) == 19


async def test_individual_contact_is_named_after_the_person(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = {"contact": {"is_individual": True, "contact_person_name": "Anne Visser"}}
    response = await client.post(f"{base}/contacts", json=body, headers=auth)
    assert response.json()["contact"]["name"] == "Anne Visser"


async def test_contact_patch_changes_only_the_sent_fields(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = {"contact": {"city": "Amersfoort"}}
    response = await client.patch(f"{base}/contacts/{contact_id}", json=body, headers=auth)
    contact = response.json()["contact"]
    assert contact["city"] == "Amersfoort"
    assert contact["company_name"] == "Bakkerij Jansen"


async def test_deleted_contact_answers_404(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    deleted = await client.delete(f"{base}/contacts/{contact_id}", headers=auth)
    assert deleted.status_code == 204
    response = await client.get(f"{base}/contacts/{contact_id}", headers=auth)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "client.not_found.resource"


async def test_contacts_selection_suppliers_lists_only_suppliers(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = {"contact": {"company_name": "Technische Unie", "is_supplier": True}}
    await client.post(f"{base}/contacts", json=body, headers=auth)
    response = await client.get(f"{base}/contacts?selection=suppliers", headers=auth)
    assert [c["company_name"] for c in response.json()["contacts"]] == ["Technische Unie"]
    assert response.headers["X-Total"] == "1"


async def test_contacts_search_q_matches_city_case_insensitively(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    response = await client.get(f"{base}/contacts", params={"search[q]": "utr"}, headers=auth)
    assert [c["id"] for c in response.json()["contacts"]] == [contact_id]


async def test_contacts_search_by_email_is_exact(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    params = {"search[contact_person_email_address]": "piet@bakkerij"}
    partial = await client.get(f"{base}/contacts", params=params, headers=auth)
    params = {"search[contact_person_email_address]": "piet@bakkerijjansen.nl"}
    exact = await client.get(f"{base}/contacts", params=params, headers=auth)
    assert partial.json()["contacts"] == []
    assert [c["id"] for c in exact.json()["contacts"]] == [contact_id]


async def test_duplicate_contact_number_is_rejected_with_422(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = {"contact": {"company_name": "Tweede", "contact_number": "K00001"}}
    response = await client.post(f"{base}/contacts", json=body, headers=auth)
    assert response.status_code == 422


async def test_product_create_computes_prices_with_vat_as_decimal_strings(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = {"product": {"invoice_line": {"description": "Machine", "price_per_unit": "1895"}}}
    response = await client.post(f"{base}/products", json=body, headers=auth)
    assert response.status_code == 201
    line = response.json()["product"]["invoice_line"]
    assert line["price_per_unit"] == "1895.0"
    assert line["vat_amount"] == "397.95"
    assert line["price_with_vat"] == "2292.95"
    assert line["vat_rate"] == "0.21"
    assert line["quantity"] == "1.0"
    assert line["product_code"] == "P1"


async def test_product_without_price_is_rejected_in_dutch(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = {"product": {"invoice_line": {"description": "Zonder prijs"}}}
    response = await client.post(f"{base}/products", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "type": "client.parameters.validation",
            "message": "Product is invalid: Stuksprijs moet opgegeven zijn.",
        }
    }


async def test_products_search_by_product_codes_is_exact(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"products": 5})
    response = await client.get(
        f"{base}/products?search[product_codes][]=P2&search[product_codes][]=P4", headers=auth
    )
    codes = [p["invoice_line"]["product_code"] for p in response.json()["products"]]
    assert codes == ["P2", "P4"]


async def test_product_patch_updates_the_nested_invoice_line(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    created = await client.post(
        f"/_sandbox/companies/{company_id}/products",
        json={"description": "Koperen bocht 15mm", "price_per_unit": "1.45"},
    )
    product_id = created.json()["product"]["id"]
    body = {"product": {"invoice_line": {"price_per_unit": "1.50"}}}
    response = await client.patch(f"{base}/products/{product_id}", json=body, headers=auth)
    line = response.json()["product"]["invoice_line"]
    assert (line["price_per_unit"], line["description"]) == ("1.5", "Koperen bocht 15mm")
