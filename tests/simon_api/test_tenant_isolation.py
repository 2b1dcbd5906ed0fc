"""DESIGN D6: tenant B's key gets 404 for every one of tenant A's ids, and lists never leak."""

import re
from collections.abc import Iterator

import httpx
import pytest

from services.simon_api.main import create_app
from services.simon_api.settings import SimonApiSettings
from tests.simon_api.support import Api, signature_body
from tests.support.tenants import TenantKey

# Each path parameter (or, for `record_id`, the collection) → tenant A's id for it.
Ids = dict[str, int]

BODIES = {
    ("PATCH", "/api/v1/customers/{customer_id}"): {"name": "x"},
    ("PATCH", "/api/v1/articles/{article_id}"): {"description": "x"},
    ("PATCH", "/api/v1/article-groups/{group_id}"): {"name": "x"},
    ("PATCH", "/api/v1/work-addresses/{record_id}"): {"city": "x"},
    ("PATCH", "/api/v1/contact-persons/{record_id}"): {"name": "x"},
    ("PATCH", "/api/v1/objects/{record_id}"): {"name": "x"},
    ("PATCH", "/api/v1/work-orders/{work_order_id}"): {"description": "x"},
    ("POST", "/api/v1/work-orders/{work_order_id}/time-entries"): {"kind": "work", "minutes": 5},
    ("PATCH", "/api/v1/work-orders/{work_order_id}/time-entries/{entry_id}"): {"minutes": 5},
    ("PATCH", "/api/v1/work-orders/{work_order_id}/materials/{material_id}"): {"quantity": "1"},
    ("PATCH", "/api/v1/employees/{employee_id}"): {"name": "x"},
    ("PATCH", "/api/v1/form-templates/{template_id}"): {"name": "x"},
    ("PUT", "/api/v1/work-orders/{work_order_id}/forms/{form_id}"): {"answers": {}},
    ("PUT", "/api/v1/work-orders/{work_order_id}/signature"): signature_body(),
}


def _routes() -> Iterator[tuple[str, str]]:
    """Every operation the API publishes (its OpenAPI document), so new endpoints are
    covered without editing this file."""
    app = create_app(SimonApiSettings(database_url="postgresql://unused/unused"))
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/v1"):
            for method in operations:
                yield method.upper(), path


ROUTES = sorted(set(_routes()))
ROUTES_WITH_IDS = [r for r in ROUTES if "{" in r[1]]
READ_ROUTES_WITH_IDS = [r for r in ROUTES_WITH_IDS if r[0] == "GET"]
LIST_ROUTES = [r for r in ROUTES if r[0] == "GET" and "{" not in r[1]]


@pytest.fixture
async def tenant_a_ids(api: Api, office: TenantKey) -> Ids:
    """Tenant A owns one of everything; returns the id for each path parameter."""
    group = await api.post("/article-groups", {"name": "Cv"})
    article = await api.article(article_group_id=group["id"])
    customer = await api.customer()
    address = await api.work_address(customer["id"])
    person = await api.post("/contact-persons", {"customer_id": customer["id"], "name": "Anja"})
    thing = await api.post("/objects", {"customer_id": customer["id"], "name": "Cv-ketel"})
    work_order = await api.planned_work_order()
    entry = await api.post(
        f"/work-orders/{work_order['id']}/time-entries", {"kind": "work", "minutes": 30}
    )
    material = await api.post(
        f"/work-orders/{work_order['id']}/materials", {"article_id": article["id"], "quantity": "1"}
    )
    key = await api.post(f"/employees/{office.employee_id}/api-keys")
    template = await api.template()
    form = await api.form(work_order["id"], template["id"])
    await api.put(f"/work-orders/{work_order['id']}/signature", signature_body())
    return {
        "customer_id": customer["id"],
        "article_id": article["id"],
        "group_id": group["id"],
        "work_order_id": work_order["id"],
        "entry_id": entry["id"],
        "material_id": material["id"],
        "template_id": template["id"],
        "form_id": form["id"],
        "employee_id": office.employee_id,
        "key_id": key["id"],
        "/work-addresses": address["id"],
        "/contact-persons": person["id"],
        "/objects": thing["id"],
    }


def _fill(path: str, ids: Ids) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "record_id":
            prefix = "/" + path.split("/")[3]
            return str(ids[prefix])
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.mark.parametrize(("method", "path"), ROUTES_WITH_IDS)
async def test_another_tenants_id_answers_404(
    client: httpx.AsyncClient, other_office: TenantKey, tenant_a_ids: Ids, method: str, path: str
) -> None:
    body = BODIES.get((method, path))
    if path.endswith("/materials"):
        body = {"article_id": tenant_a_ids["article_id"], "quantity": "1"}
    if path.endswith("/forms"):
        body = {"template_id": tenant_a_ids["template_id"]}
    response = await client.request(
        method, _fill(path, tenant_a_ids), json=body, headers=other_office.headers
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("method", "path"), READ_ROUTES_WITH_IDS)
async def test_the_owner_reaches_the_same_ids(
    client: httpx.AsyncClient, office: TenantKey, tenant_a_ids: Ids, method: str, path: str
) -> None:
    """The 404s above are about the tenant, not about bad ids."""
    response = await client.get(_fill(path, tenant_a_ids), headers=office.headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("method", "path"), LIST_ROUTES)
async def test_lists_never_show_another_tenants_rows(
    client: httpx.AsyncClient,
    office: TenantKey,
    other_office: TenantKey,
    tenant_a_ids: Ids,
    method: str,
    path: str,
) -> None:
    own = await client.get(path, headers=office.headers)
    assert own.status_code == 200
    assert own.json()["items"], f"tenant A should see its own rows in {path}"
    theirs = await client.get(
        path, params={"include_inactive": "true"}, headers=other_office.headers
    )
    a_ids = {item["id"] for item in own.json()["items"]}
    b_ids = {item["id"] for item in theirs.json()["items"]}
    assert not a_ids & b_ids


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/work-orders", "customer_id"),
        ("/api/v1/work-addresses", "customer_id"),
        ("/api/v1/contact-persons", "customer_id"),
        ("/api/v1/objects", "customer_id"),
    ],
)
async def test_filtering_by_another_tenants_customer_finds_nothing(
    client: httpx.AsyncClient, other_office: TenantKey, tenant_a_ids: Ids, path: str, param: str
) -> None:
    response = await client.get(
        path, params={param: tenant_a_ids["customer_id"]}, headers=other_office.headers
    )
    assert response.json()["items"] == []


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_endpoint_needs_a_key(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    filled = re.sub(r"\{\w+\}", "1", path)
    response = await client.request(method, filled)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_an_unknown_key_is_refused(client: httpx.AsyncClient, method: str, path: str) -> None:
    filled = re.sub(r"\{\w+\}", "1", path)
    response = await client.request(
        method, filled, headers={"Authorization": "Bearer sim_not-a-real-key"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("field", "source"),
    [
        ("customer_id", "customer_id"),
        ("assignee_id", "employee_id"),
        ("contact_person_id", "/contact-persons"),
        ("object_id", "/objects"),
    ],
)
async def test_a_work_order_cannot_point_at_another_tenants_rows(
    client: httpx.AsyncClient, other_office: TenantKey, tenant_a_ids: Ids, field: str, source: str
) -> None:
    response = await client.post(
        "/api/v1/work-orders",
        json={field: tenant_a_ids[source], "description": "x"},
        headers=other_office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_a_material_cannot_use_another_tenants_article(
    client: httpx.AsyncClient, other_office: TenantKey, tenant_a_ids: Ids
) -> None:
    own = await client.post(
        "/api/v1/work-orders", json={"description": "B"}, headers=other_office.headers
    )
    response = await client.post(
        f"/api/v1/work-orders/{own.json()['id']}/materials",
        json={"article_id": tenant_a_ids["article_id"], "quantity": "1"},
        headers=other_office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "article_id"


async def test_a_form_cannot_use_another_tenants_template(
    client: httpx.AsyncClient, other_office: TenantKey, tenant_a_ids: Ids
) -> None:
    own = await client.post(
        "/api/v1/work-orders", json={"description": "B"}, headers=other_office.headers
    )
    response = await client.post(
        f"/api/v1/work-orders/{own.json()['id']}/forms",
        json={"template_id": tenant_a_ids["template_id"]},
        headers=other_office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "template_id"
