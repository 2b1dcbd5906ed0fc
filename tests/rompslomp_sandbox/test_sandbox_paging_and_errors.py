"""Paging headers and the reference's error statuses and bodies."""

from __future__ import annotations

import httpx
import pytest

from tests.rompslomp_sandbox.support import bearer, mint


@pytest.fixture
async def seeded(client: httpx.AsyncClient, company_id: int) -> int:
    response = await client.post(f"/_sandbox/companies/{company_id}/seed", json={"contacts": 95})
    assert response.json() == {"contacts": 95, "products": 0}
    return company_id


async def test_list_defaults_to_page_1_of_40_with_paging_headers(
    client: httpx.AsyncClient, seeded: int, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/contacts", headers=auth)
    assert len(response.json()["contacts"]) == 40
    assert response.headers["X-Page"] == "1"
    assert response.headers["X-Per-Page"] == "40"
    assert response.headers["X-Total"] == "95"


async def test_last_page_is_short(
    client: httpx.AsyncClient, seeded: int, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/contacts?page=3&per_page=40", headers=auth)
    assert len(response.json()["contacts"]) == 15
    assert response.headers["X-Page"] == "3"


async def test_pages_follow_insertion_order_without_overlap(
    client: httpx.AsyncClient, seeded: int, base: str, auth: dict[str, str]
) -> None:
    ids: list[int] = []
    for page in (1, 2):
        response = await client.get(f"{base}/contacts?page={page}&per_page=50", headers=auth)
        ids += [c["id"] for c in response.json()["contacts"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == 95


async def test_page_beyond_the_end_is_empty(
    client: httpx.AsyncClient, seeded: int, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/contacts?page=9", headers=auth)
    assert response.json() == {"contacts": []}
    assert response.headers["X-Total"] == "95"


async def test_per_page_above_100_is_clamped_to_100(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"contacts": 150})
    response = await client.get(f"{base}/contacts?per_page=500", headers=auth)
    assert len(response.json()["contacts"]) == 100
    assert response.headers["X-Per-Page"] == "100"


async def test_non_numeric_page_is_400_invalid_parameter_value(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/contacts?page=abc", headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "client.parameters.invalid_parameter_value"


async def test_unknown_query_parameter_is_400_unpermitted(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.get(f"{base}/contacts?updated_since=2024-01-01", headers=auth)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "client.parameters.unpermitted_parameters",
            "message": "found unpermitted parameter: :updated_since",
        }
    }


async def test_unknown_body_field_is_400_unpermitted(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    body = {"contact": {"company_name": "X", "email": "x@example.org"}}
    response = await client.post(f"{base}/contacts", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "client.parameters.unpermitted_parameters"


async def test_body_without_envelope_is_400_missing_parameter(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.post(f"{base}/contacts", json={"company_name": "X"}, headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "client.parameters.missing_parameter"


async def test_malformed_json_is_400(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    response = await client.post(f"{base}/contacts", content=b"{nope", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "client.parameters.malformed_json"


async def test_validation_error_is_422_with_dutch_message(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    response = await client.post(
        f"{base}/contacts", json={"contact": {"city": "Ede"}}, headers=auth
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "type": "client.parameters.validation",
            "message": "Contact is invalid: Company name moet opgegeven zijn.",
        }
    }


async def test_missing_token_is_401_with_www_authenticate(
    client: httpx.AsyncClient, base: str
) -> None:
    response = await client.get(f"{base}/contacts")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "client.authentication.invalid_token"
    assert response.headers["WWW-Authenticate"].startswith(
        'Bearer realm="Rompslomp API v1", error="invalid_token", error_description="'
    )


async def test_unknown_token_is_401(client: httpx.AsyncClient, base: str) -> None:
    response = await client.get(f"{base}/contacts", headers=bearer("not-a-token"))
    assert response.status_code == 401


async def test_missing_scope_is_403_invalid_scope(client: httpx.AsyncClient, base: str) -> None:
    tokens = await mint(client, scopes="public")
    response = await client.get(f"{base}/contacts", headers=bearer(tokens["access_token"]))
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "client.authorization.invalid_scope"


async def test_me_needs_read_me_scope(client: httpx.AsyncClient) -> None:
    tokens = await mint(client)
    response = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 403


async def test_free_plan_company_is_403_access_denied(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await client.post(
        "/_sandbox/companies", json={"name": "Hobbyproject (Gratis)", "api_accessible": False}
    )
    company = created.json()["company"]
    assert company["access_control"]["api_accessible"] is False
    response = await client.get(f"/api/v1/companies/{company['id']}/contacts", headers=auth)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "client.authorization.access_denied"


async def test_scope_not_allowed_by_company_is_403(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str]
) -> None:
    await client.patch(f"/_sandbox/companies/{company_id}", json={"allowed_scopes": ["public"]})
    response = await client.get(f"{base}/contacts", headers=auth)
    assert response.status_code == 403


async def test_unknown_company_is_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.get("/api/v1/companies/999/contacts", headers=auth)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "client.not_found.resource"


async def test_unknown_endpoint_is_404_not_found_endpoint(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/nothing", headers=auth)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "client.not_found.endpoint"
