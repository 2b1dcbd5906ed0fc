"""Customers and articles: Simon-managed until the integration is active (R-MASTER-3)."""

from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import IntegrationState
from shared.models import Article
from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/customers", {"name": "X"}),
        ("PATCH", "/api/v1/customers/{customer}", {"name": "X"}),
        ("DELETE", "/api/v1/customers/{customer}", None),
        ("POST", "/api/v1/articles", {"code": "X", "description": "x", "price": "1"}),
        ("PATCH", "/api/v1/articles/{article}", {"price": "2"}),
        ("DELETE", "/api/v1/articles/{article}", None),
    ],
)
async def test_writes_are_refused_while_the_integration_is_active(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    method: str,
    path: str,
    body: Json | None,
) -> None:
    customer = await api.customer()
    article = await api.article()
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    response = await client.request(
        method,
        path.format(customer=customer["id"], article=article["id"]),
        json=body,
        headers=office.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "managed_by_rompslomp"
    assert "Rompslomp" in response.json()["detail"]


@pytest.mark.parametrize(
    "state",
    [IntegrationState.NEVER_ACTIVATED, IntegrationState.INACTIVE, IntegrationState.NEEDS_RECONNECT],
)
async def test_writes_are_allowed_unless_active(
    client: httpx.AsyncClient,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
    state: IntegrationState,
) -> None:
    await set_integration_state(office.tenant_id, state)
    response = await client.post(
        "/api/v1/customers", json={"name": "Bakkerij"}, headers=office.headers
    )
    assert response.status_code == 201
    assert response.json()["source"] == "simon"


async def test_reads_work_while_the_integration_is_active(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
) -> None:
    customer = await api.customer()
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    response = await client.get(f"/api/v1/customers/{customer['id']}", headers=office.headers)
    assert response.status_code == 200


async def test_customer_fields_round_trip(api: Api) -> None:
    customer = await api.customer(
        name="Bakkerij Jansen",
        address="Dorpsstraat 1",
        zipcode="1234 AB",
        city="Utrecht",
        country_code="nl",
        email="info@jansen.nl",
        phone="030-1234567",
    )
    assert customer["country_code"] == "NL"
    assert customer["rompslomp_id"] is None
    assert customer["active"] is True


async def test_customer_search(api: Api, client: httpx.AsyncClient, office: TenantKey) -> None:
    await api.customer(name="Bakkerij Jansen")
    await api.customer(name="Slagerij 100% Vers")
    response = await client.get("/api/v1/customers", params={"q": "100%"}, headers=office.headers)
    assert [c["name"] for c in response.json()["items"]] == ["Slagerij 100% Vers"]


async def test_inactive_customers_are_hidden_unless_asked(
    api: Api, client: httpx.AsyncClient, office: TenantKey, session: AsyncSession
) -> None:
    from shared.models import Customer

    customer = await api.customer()
    row = await session.get(Customer, customer["id"])
    assert row is not None
    row.active = False
    await session.commit()
    hidden = await client.get("/api/v1/customers", headers=office.headers)
    shown = await client.get(
        "/api/v1/customers", params={"include_inactive": True}, headers=office.headers
    )
    assert customer["id"] not in [c["id"] for c in hidden.json()["items"]]
    assert customer["id"] in [c["id"] for c in shown.json()["items"]]


async def test_an_inactive_customer_cannot_be_picked(api: Api, session: AsyncSession) -> None:
    from shared.models import Customer

    customer = await api.customer()
    row = await session.get(Customer, customer["id"])
    assert row is not None
    row.active = False
    await session.commit()
    problem = await api.post(
        "/work-orders", {"customer_id": customer["id"], "description": "x"}, status=422
    )
    assert problem["errors"][0]["field"] == "customer_id"


async def test_a_customer_with_work_orders_cannot_be_deleted(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    response = await client.delete(
        f"/api/v1/customers/{work_order['customer_id']}", headers=office.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "in_use"


async def test_an_article_on_a_material_cannot_be_deleted(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    article = await api.article()
    await api.post(
        f"/work-orders/{work_order['id']}/materials", {"article_id": article["id"], "quantity": "1"}
    )
    response = await client.delete(f"/api/v1/articles/{article['id']}", headers=office.headers)
    assert response.status_code == 409


async def test_a_customer_with_simon_only_records_is_not_deleted_with_them(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    customer = await api.customer()
    address = await api.work_address(customer["id"])
    person = await api.post("/contact-persons", {"customer_id": customer["id"], "name": "Anja"})
    refused = await client.delete(f"/api/v1/customers/{customer['id']}", headers=office.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "in_use"
    assert "work addresses and contact persons" in refused.json()["detail"]
    for path in (f"/work-addresses/{address['id']}", f"/contact-persons/{person['id']}"):
        assert (await client.get(f"/api/v1{path}", headers=office.headers)).status_code == 200
        assert (await client.delete(f"/api/v1{path}", headers=office.headers)).status_code == 204
    deleted = await client.delete(f"/api/v1/customers/{customer['id']}", headers=office.headers)
    assert deleted.status_code == 204


async def test_a_work_address_in_use_cannot_be_deleted(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    response = await client.delete(
        f"/api/v1/work-addresses/{work_order['work_address_id']}", headers=office.headers
    )
    assert response.status_code == 409


async def test_article_prices_travel_as_strings(api: Api) -> None:
    article = await api.article(price="12.5", vat_rate="0.21")
    assert article["price"] == "12.50"
    assert article["vat_rate"] == "0.21"


async def test_deleting_an_article_group_keeps_its_articles(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    group = await api.post("/article-groups", {"name": "Cv"})
    article = await api.article(article_group_id=group["id"])
    await client.delete(f"/api/v1/article-groups/{group['id']}", headers=office.headers)
    response = await client.get(f"/api/v1/articles/{article['id']}", headers=office.headers)
    assert response.json()["article_group_id"] is None


async def test_an_article_group_can_be_set_while_the_integration_is_active(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    other_office: TenantKey,
    set_integration_state: Callable[[int, IntegrationState], Awaitable[None]],
) -> None:
    """R-MASTER-6: article groups are Simon's own, so a Rompslomp-led article may be put in
    one while Rompslomp leads the rest of it."""
    article = await api.article()
    group = await api.post("/article-groups", {"name": "Koper"})
    await set_integration_state(office.tenant_id, IntegrationState.ACTIVE)
    path = f"/api/v1/articles/{article['id']}"

    put = await client.patch(path, json={"article_group_id": group["id"]}, headers=office.headers)
    assert put.status_code == 200, put.text
    assert put.json()["article_group_id"] == group["id"]
    assert put.json()["price"] == article["price"]
    cleared = await client.patch(path, json={"article_group_id": None}, headers=office.headers)
    assert cleared.status_code == 200
    assert cleared.json()["article_group_id"] is None

    mixed = await client.patch(
        path, json={"article_group_id": group["id"], "price": "3"}, headers=office.headers
    )
    assert mixed.status_code == 409
    assert mixed.json()["code"] == "managed_by_rompslomp"
    unknown = await client.patch(path, json={"article_group_id": 999999}, headers=office.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "article_group_id"
    # Another tenant's group is unknown here, and another tenant's article not found.
    theirs = await Api(client, other_office).post("/article-groups", {"name": "Hun groep"})
    foreign = await client.patch(
        path, json={"article_group_id": theirs["id"]}, headers=office.headers
    )
    assert foreign.status_code == 422
    other = await client.patch(
        path, json={"article_group_id": theirs["id"]}, headers=other_office.headers
    )
    assert other.status_code == 404


async def test_an_article_shows_the_six_decimals_rompslomp_may_send(
    api: Api, client: httpx.AsyncClient, office: TenantKey, session: AsyncSession
) -> None:
    article = await api.article()
    stored = await session.get(Article, article["id"])
    assert stored is not None
    stored.price, stored.vat_rate = Decimal("2.123456"), Decimal("0.215")
    await session.commit()
    shown = await client.get(f"/api/v1/articles/{article['id']}", headers=office.headers)
    assert shown.status_code == 200
    assert (shown.json()["price"], shown.json()["vat_rate"]) == ("2.123456", "0.215")
