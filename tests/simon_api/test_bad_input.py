"""Bad input is a 422 problem naming the field, never a 500."""

from typing import Any

import httpx
import pytest

from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey

PROBLEM = "application/problem+json"


@pytest.fixture
async def work_order(api: Api) -> Json:
    return await api.planned_work_order()


def _assert_field_problem(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422
    assert field in [e["field"] for e in body["errors"]], body


@pytest.mark.parametrize("minutes", [0, -15, 1.5, "abc", None, 10**9])
async def test_time_entry_minutes_must_be_whole_and_positive(
    client: httpx.AsyncClient, office: TenantKey, work_order: Json, minutes: object
) -> None:
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "work", "minutes": minutes},
        headers=office.headers,
    )
    _assert_field_problem(response, "minutes")


async def test_time_entry_kind_must_be_work_or_travel(
    client: httpx.AsyncClient, office: TenantKey, work_order: Json
) -> None:
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/time-entries",
        json={"kind": "pause", "minutes": 10},
        headers=office.headers,
    )
    _assert_field_problem(response, "kind")


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "NaN", "Infinity", "1.23456", None])
async def test_material_quantity_must_be_a_positive_decimal(
    api: Api, client: httpx.AsyncClient, office: TenantKey, work_order: Json, quantity: str | None
) -> None:
    article = await api.article()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/materials",
        json={"article_id": article["id"], "quantity": quantity},
        headers=office.headers,
    )
    _assert_field_problem(response, "quantity")


@pytest.mark.parametrize("price", ["-0.01", "abc", "1e400"])
async def test_material_unit_price_must_be_a_decimal_of_zero_or_more(
    api: Api, client: httpx.AsyncClient, office: TenantKey, work_order: Json, price: str
) -> None:
    article = await api.article()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/materials",
        json={"article_id": article["id"], "quantity": "1", "unit_price": price},
        headers=office.headers,
    )
    _assert_field_problem(response, "unit_price")


async def test_unknown_article_on_a_material(
    client: httpx.AsyncClient, office: TenantKey, work_order: Json
) -> None:
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/materials",
        json={"article_id": 999999999, "quantity": "1"},
        headers=office.headers,
    )
    _assert_field_problem(response, "article_id")
    assert response.json()["code"] == "unknown_reference"


@pytest.mark.parametrize("field", ["customer_id", "work_address_id", "assignee_id"])
async def test_unknown_ids_on_a_work_order(
    client: httpx.AsyncClient, office: TenantKey, field: str
) -> None:
    response = await client.post(
        "/api/v1/work-orders", json={field: 999999999, "description": "x"}, headers=office.headers
    )
    _assert_field_problem(response, field)


async def test_unknown_customer_on_a_work_address(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.post(
        "/api/v1/work-addresses", json={"customer_id": 999999999}, headers=office.headers
    )
    _assert_field_problem(response, "customer_id")


async def test_unknown_article_group_on_an_article(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.post(
        "/api/v1/articles",
        json={"code": "X", "description": "x", "price": "1", "article_group_id": 999999999},
        headers=office.headers,
    )
    _assert_field_problem(response, "article_group_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"name": "x", "country_code": "Netherlands"}, "country_code"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "rompslomp_id": 5}, "rompslomp_id"),
    ],
)
async def test_customer_body_problems(
    client: httpx.AsyncClient, office: TenantKey, body: Json, field: str
) -> None:
    response = await client.post("/api/v1/customers", json=body, headers=office.headers)
    _assert_field_problem(response, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x", "price": "1"}, "code"),
        ({"code": "X", "description": "x", "price": "-1"}, "price"),
        ({"code": "X", "description": "x", "price": "abc"}, "price"),
        ({"code": "X", "description": "x", "price": "1", "vat_rate": "21"}, "vat_rate"),
    ],
)
async def test_article_body_problems(
    client: httpx.AsyncClient, office: TenantKey, body: Json, field: str
) -> None:
    response = await client.post("/api/v1/articles", json=body, headers=office.headers)
    _assert_field_problem(response, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"planned_date": "tomorrow"}, "planned_date"),
        ({"planned_date": "2026-02-30"}, "planned_date"),
        ({"customer_id": "abc"}, "customer_id"),
        ({"customer_id": 2**63}, "customer_id"),
        ({"customer_id": 0}, "customer_id"),
        ({"description": 12}, "description"),
        ({"status": "archived"}, "status"),
    ],
)
async def test_work_order_body_problems(
    client: httpx.AsyncClient, office: TenantKey, body: Json, field: str
) -> None:
    response = await client.post("/api/v1/work-orders", json=body, headers=office.headers)
    _assert_field_problem(response, field)


async def test_a_body_that_is_not_json(client: httpx.AsyncClient, office: TenantKey) -> None:
    response = await client.post(
        "/api/v1/work-orders",
        content=b"{not json",
        headers={**office.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_a_body_that_is_a_list(client: httpx.AsyncClient, office: TenantKey) -> None:
    response = await client.post("/api/v1/customers", json=[1, 2], headers=office.headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": "aTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"}, "cursor"),
        ({"status": "lost"}, "status"),
        ({"customer_id": "x"}, "customer_id"),
        ({"assignee_id": -1}, "assignee_id"),
    ],
)
async def test_list_query_problems(
    client: httpx.AsyncClient, office: TenantKey, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/api/v1/work-orders", params=params, headers=office.headers)
    _assert_field_problem(response, field)


async def test_a_search_text_with_a_nul_byte(client: httpx.AsyncClient, office: TenantKey) -> None:
    response = await client.get("/api/v1/customers", params={"q": "a\x00b"}, headers=office.headers)
    _assert_field_problem(response, "q")


@pytest.mark.parametrize("work_order_id", ["abc", "0", str(2**63), "-1"])
async def test_path_ids_out_of_range(
    client: httpx.AsyncClient, office: TenantKey, work_order_id: str
) -> None:
    response = await client.get(f"/api/v1/work-orders/{work_order_id}", headers=office.headers)
    _assert_field_problem(response, "work_order_id")


async def test_a_missing_work_order_is_a_404_problem(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get("/api/v1/work-orders/999999999", headers=office.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_nulling_a_required_line_field_is_refused(
    api: Api, client: httpx.AsyncClient, office: TenantKey, work_order: Json
) -> None:
    entry = await api.post(
        f"/work-orders/{work_order['id']}/time-entries", {"kind": "work", "minutes": 10}
    )
    response = await client.patch(
        f"/api/v1/work-orders/{work_order['id']}/time-entries/{entry['id']}",
        json={"minutes": None},
        headers=office.headers,
    )
    _assert_field_problem(response, "minutes")


async def test_an_unknown_route_is_a_404_problem(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get("/api/v1/nothing-here", headers=office.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_a_wrong_method_is_a_405_problem(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.put("/api/v1/work-orders", headers=office.headers)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
