"""One test per kind of failure `make fuzz` found in simon_api: the service answers what
its OpenAPI document says, for values the document allows and for values it does not."""

from __future__ import annotations

import httpx
import pytest

from tests.simon_api.support import Api
from tests.support.tenants import TenantKey


@pytest.mark.parametrize("price", ["__main__", "", "1e3", "12.34567", "12345678901", "-1", 2.5])
async def test_a_decimal_outside_the_documented_pattern_is_a_422(
    api: Api, client: httpx.AsyncClient, office: TenantKey, price: str | float
) -> None:
    response = await client.post(
        "/api/v1/articles",
        json={"code": "X1", "description": "x", "price": price},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "price"


@pytest.mark.parametrize("price", ["0", "12.5", "9999999999.9999"])
async def test_a_decimal_the_pattern_allows_is_taken(
    api: Api, client: httpx.AsyncClient, office: TenantKey, price: str | float
) -> None:
    response = await client.post(
        "/api/v1/articles",
        json={"code": "X1", "description": "x", "price": price},
        headers=office.headers,
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("minutes", [True, "15", 15.5])
async def test_an_integer_is_a_json_integer(
    api: Api, client: httpx.AsyncClient, office: TenantKey, minutes: bool | str | float
) -> None:
    work_order = await api.planned_work_order()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "work", "minutes": minutes},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "minutes"


async def test_an_integer_written_with_a_zero_fraction_is_an_integer(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    """JSON Schema counts 15.0 as an integer, so the service does too."""
    work_order = await api.planned_work_order()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "work", "minutes": 15.0},
        headers=office.headers,
    )
    assert response.status_code == 201
    assert response.json()["minutes"] == 15


async def test_a_boolean_is_a_json_boolean(
    client: httpx.AsyncClient, office: TenantKey, field: TenantKey
) -> None:
    response = await client.patch(
        f"/api/v1/employees/{field.employee_id}", json={"active": 0}, headers=office.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "active"


async def test_a_null_where_the_document_offers_none_is_a_422_naming_the_field(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    customer = await api.customer()
    response = await client.patch(
        f"/api/v1/customers/{customer['id']}", json={"name": None}, headers=office.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "name", "message": "Value error, May not be null"}
    ]


async def test_a_label_longer_than_its_column_is_a_422_not_a_500(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    customer = await api.customer()
    response = await client.post(
        "/api/v1/objects",
        json={"customer_id": customer["id"], "name": "Ketel", "brand": "x" * 101},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "brand"


async def test_whitespace_is_the_same_for_every_client(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    """U+0085 is whitespace to Python's `\\s` but not to every regex engine: the document
    spells out the spaces it means, and the service applies exactly those."""
    customer = await api.customer()
    response = await client.post(
        "/api/v1/contact-persons",
        json={"customer_id": customer["id"], "name": "\x85", "email": "a\x85b@c"},
        headers=office.headers,
    )
    assert response.status_code == 201, response.text
    only_spaces = await client.post(
        "/api/v1/contact-persons",
        json={"customer_id": customer["id"], "name": " \t "},
        headers=office.headers,
    )
    assert only_spaces.status_code == 422


async def test_a_string_that_is_no_cursor_of_the_list_has_its_own_code(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get(
        "/api/v1/customers", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=office.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


async def test_a_405_allows_every_method_of_the_path(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    customer = await api.customer()
    response = await client.request(
        "OPTIONS", f"/api/v1/customers/{customer['id']}", headers=office.headers
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"


async def test_an_idempotency_key_on_a_method_the_path_lacks_is_left_to_the_router(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.patch(
        "/api/v1/customers",
        json={},
        headers={**office.headers, "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 405
