"""Sales invoices: concept, totals, nested lines, api_reference, publication."""

from __future__ import annotations

from typing import Any

import httpx

from tests.rompslomp_sandbox.support import invoice_body, vat_type_id


async def create(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{base}/sales_invoices", json=body, headers=auth)


async def test_new_invoice_is_a_concept_without_number(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    response = await create(client, base, auth, invoice_body(contact_id))
    assert response.status_code == 201
    invoice = response.json()["sales_invoice"]
    assert invoice["status"] == "concept"
    assert invoice["invoice_number"] is None
    assert invoice["published_at"] is None


async def test_invoice_totals_are_exact_decimal_strings(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    invoice = (await create(client, base, auth, invoice_body(contact_id))).json()["sales_invoice"]
    assert (invoice["price_without_vat"], invoice["vat_amount"], invoice["price_with_vat"]) == (
        "300.0",
        "63.0",
        "363.0",
    )
    [line] = invoice["invoice_lines"]
    assert (line["quantity"], line["price_per_unit"], line["vat_rate"]) == ("4.0", "75.0", "0.21")


async def test_line_totals_avoid_float_rounding(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    lines = [
        {"description": "Koperen bocht 15mm", "price_per_unit": "1.45", "quantity": "3"},
        {"description": "Knelkoppeling", "price_per_unit": "0.1", "quantity": "3"},
    ]
    body = invoice_body(contact_id, invoice_lines=lines)
    invoice = (await create(client, base, auth, body)).json()["sales_invoice"]
    assert [line["price_without_vat"] for line in invoice["invoice_lines"]] == ["4.35", "0.3"]
    assert invoice["price_without_vat"] == "4.65"


async def test_line_vat_follows_its_vat_type(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    low = await vat_type_id(client, base, auth, "vat_low_new")
    lines = [{"description": "Boek", "price_per_unit": "20.0", "vat_type_id": low}]
    invoice = await create(client, base, auth, invoice_body(contact_id, invoice_lines=lines))
    assert invoice.json()["sales_invoice"]["vat_amount"] == "1.8"


async def test_invoice_caches_the_contact_subset(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    invoice = (await create(client, base, auth, invoice_body(contact_id))).json()["sales_invoice"]
    assert invoice["cached_contact"]["name"] == "Bakkerij Jansen"
    assert invoice["cached_contact"]["contact_number"] == "K00001"


async def test_unknown_contact_id_is_422(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await create(client, base, auth, invoice_body(123))
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "client.parameters.validation"


async def test_date_before_1990_is_422_with_the_reference_message(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    response = await create(client, base, auth, invoice_body(contact_id, date="1989-12-31"))
    assert response.json()["error"]["message"] == (
        "Factuur is invalid: Factuurdatum moet na 01/01/1990 liggen."
    )


async def test_duplicate_api_reference_is_422_and_stores_nothing(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, api_reference="WO-2026-0001")
    assert (await create(client, base, auth, body)).status_code == 201
    duplicate = await create(client, base, auth, body)
    assert duplicate.status_code == 422
    assert "Api reference" in duplicate.json()["error"]["message"]
    dump = await client.get(f"/_sandbox/companies/{company_id}/sales_invoices")
    assert len(dump.json()["sales_invoices"]) == 1


async def test_api_reference_is_unique_per_company_only(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    other = await client.post("/_sandbox/companies", json={"name": "Ander B.V."})
    other_base = f"/api/v1/companies/{other.json()['company']['id']}"
    await create(client, base, auth, invoice_body(contact_id, api_reference="WO-1"))
    response = await create(client, other_base, auth, invoice_body(None, api_reference="WO-1"))
    assert response.status_code == 201


async def test_search_api_reference_finds_exactly_that_invoice(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await create(client, base, auth, invoice_body(contact_id, api_reference="WO-1"))
    wanted = await create(client, base, auth, invoice_body(contact_id, api_reference="WO-2"))
    response = await client.get(
        f"{base}/sales_invoices", params={"search[api_reference]": "WO-2"}, headers=auth
    )
    assert [i["id"] for i in response.json()["sales_invoices"]] == [
        wanted.json()["sales_invoice"]["id"]
    ]
    assert response.headers["X-Total"] == "1"


async def test_search_api_reference_without_match_is_an_empty_list(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(
        f"{base}/sales_invoices", params={"search[api_reference]": "nope"}, headers=auth
    )
    assert response.json() == {"sales_invoices": []}


async def test_publish_assigns_a_number_and_the_published_status(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    created = (await create(client, base, auth, invoice_body(contact_id))).json()
    invoice_id = created["sales_invoice"]["id"]
    response = await client.patch(
        f"{base}/sales_invoices/{invoice_id}",
        json={"sales_invoice": {"_publish": True}},
        headers=auth,
    )
    invoice = response.json()["sales_invoice"]
    assert invoice["status"] == "published"
    assert invoice["invoice_number"] == "2026-0001"
    assert invoice["published_at"] is not None


async def test_published_invoice_cannot_be_published_again(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, _publish=True)
    invoice_id = (await create(client, base, auth, body)).json()["sales_invoice"]["id"]
    again = await client.patch(
        f"{base}/sales_invoices/{invoice_id}",
        json={"sales_invoice": {"_publish": True}},
        headers=auth,
    )
    assert again.status_code == 422


async def test_publishing_without_contact_is_422(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await create(client, base, auth, invoice_body(None, _publish=True))
    assert response.status_code == 422


async def test_patch_adds_updates_and_destroys_nested_lines(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    lines = [
        {"description": "Blijft", "price_per_unit": "75.0", "quantity": "4"},
        {"description": "Weg", "price_per_unit": "1.0"},
    ]
    created = await create(client, base, auth, invoice_body(contact_id, invoice_lines=lines))
    invoice = created.json()["sales_invoice"]
    keep, drop = (line["id"] for line in invoice["invoice_lines"])
    patch = {
        "sales_invoice": {
            "invoice_lines": [
                {"description": "Nieuw", "quantity": 5, "price_per_unit": "10.0"},
                {"id": str(keep), "description": "Bijgewerkt", "quantity": 5},
                {"id": str(drop), "_destroy": True},
            ]
        }
    }
    response = await client.patch(
        f"{base}/sales_invoices/{invoice['id']}", json=patch, headers=auth
    )
    updated = response.json()["sales_invoice"]
    assert [line["description"] for line in updated["invoice_lines"]] == ["Bijgewerkt", "Nieuw"]
    assert (updated["price_without_vat"], updated["price_with_vat"]) == ("425.0", "514.25")


async def test_inline_contact_is_created_and_linked(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = invoice_body(None, contact={"company_name": "Nieuwe Klant B.V."})
    invoice = (await create(client, base, auth, body)).json()["sales_invoice"]
    contact = await client.get(f"{base}/contacts/{invoice['contact_id']}", headers=auth)
    assert contact.json()["contact"]["company_name"] == "Nieuwe Klant B.V."


async def test_selection_concept_and_published_split_the_list(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await create(client, base, auth, invoice_body(contact_id))
    await create(client, base, auth, invoice_body(contact_id, _publish=True))
    concept = await client.get(f"{base}/sales_invoices?selection=concept", headers=auth)
    published = await client.get(f"{base}/sales_invoices?selection=published", headers=auth)
    assert [i["status"] for i in concept.json()["sales_invoices"]] == ["concept"]
    assert [i["status"] for i in published.json()["sales_invoices"]] == ["published"]


async def test_search_by_date_range_and_contact(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await create(client, base, auth, invoice_body(contact_id, date="2026-01-15"))
    await create(client, base, auth, invoice_body(contact_id, date="2026-03-15"))
    params = {
        "search[from]": "2026-03-01",
        "search[till]": "2026-03-31",
        "search[contact_id]": str(contact_id),
    }
    response = await client.get(f"{base}/sales_invoices", params=params, headers=auth)
    assert [i["date"] for i in response.json()["sales_invoices"]] == ["2026-03-15"]


async def test_concept_invoice_can_be_deleted(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    invoice_id = (await create(client, base, auth, invoice_body(contact_id))).json()[
        "sales_invoice"
    ]["id"]
    assert (
        await client.delete(f"{base}/sales_invoices/{invoice_id}", headers=auth)
    ).status_code == 204
    assert (
        await client.get(f"{base}/sales_invoices/{invoice_id}", headers=auth)
    ).status_code == 404


async def test_payments_need_the_manage_payments_scope(
    client: httpx.AsyncClient, base: str, contact_id: int
) -> None:
    from tests.rompslomp_sandbox.support import bearer, mint

    tokens = await mint(client)
    body = invoice_body(contact_id, payments=[{"amount": "363.0"}])
    response = await create(client, base, bearer(tokens["access_token"]), body)
    assert response.status_code == 403


async def test_payments_make_the_invoice_paid(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, payments=[{"amount": "363.0", "paid_at": "2026-03-02"}])
    invoice = (await create(client, base, auth, body)).json()["sales_invoice"]
    assert (invoice["payment_status"], invoice["open_amount"]) == ("paid", "0.0")


async def test_dump_lists_every_invoice_with_lines(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    for _ in range(3):
        await create(client, base, auth, invoice_body(contact_id))
    dump = (await client.get(f"/_sandbox/companies/{company_id}/sales_invoices")).json()
    assert len(dump["sales_invoices"]) == 3
    assert all(len(i["invoice_lines"]) == 1 for i in dump["sales_invoices"])


async def test_concept_follows_contact_edits_but_published_invoice_is_frozen(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    concept = (await create(client, base, auth, invoice_body(contact_id))).json()
    published = (await create(client, base, auth, invoice_body(contact_id, _publish=True))).json()
    await client.patch(
        f"/_sandbox/companies/{company_id}/contacts/{contact_id}", json={"city": "Zwolle"}
    )
    concept_now = await client.get(
        f"{base}/sales_invoices/{concept['sales_invoice']['id']}", headers=auth
    )
    published_now = await client.get(
        f"{base}/sales_invoices/{published['sales_invoice']['id']}", headers=auth
    )
    assert concept_now.json()["sales_invoice"]["cached_contact"]["city"] == "Zwolle"
    assert published_now.json()["sales_invoice"]["cached_contact"]["city"] == "Utrecht"


async def test_published_invoice_cannot_be_deleted(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, _publish=True)
    invoice_id = (await create(client, base, auth, body)).json()["sales_invoice"]["id"]
    response = await client.delete(f"{base}/sales_invoices/{invoice_id}", headers=auth)
    assert response.status_code == 422


async def test_failed_patch_leaves_the_invoice_unchanged(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, api_reference="WO-7")
    invoice = (await create(client, base, auth, body)).json()["sales_invoice"]
    patch = {"sales_invoice": {"description": "Nieuw", "contact_id": 1}}
    response = await client.patch(
        f"{base}/sales_invoices/{invoice['id']}", json=patch, headers=auth
    )
    shown = await client.get(f"{base}/sales_invoices/{invoice['id']}", headers=auth)
    assert response.status_code == 422
    assert shown.json()["sales_invoice"] == invoice
