"""One test per kind of failure `make fuzz` found in sync_worker (or the review of issue 14
named): what the OpenAPI document allows is answered, what it does not is a 422."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.tenants import TenantKey

P = "/api/v1/integration"


async def test_a_log_page_beyond_any_log_is_a_422_not_a_500(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get(f"{P}/logs", params={"page": 10**20}, headers=office.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"


async def test_a_far_log_page_within_the_bound_is_empty(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.get(f"{P}/logs", params={"page": 1_000_000}, headers=office.headers)
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("level", ["Warning", "warning,", "warning, error", "fatal", ""])
async def test_levels_outside_the_documented_pattern_are_a_422(
    client: httpx.AsyncClient, office: TenantKey, level: str
) -> None:
    response = await client.get(f"{P}/logs", params={"level": level}, headers=office.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "level"


async def test_a_filter_word_with_nul_is_a_422_not_a_500(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.put(
        f"{P}/settings",
        json={"administration_id": 1, "filter_word": "gar\x00antie", "accept_terms": True},
        headers=office.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "filter_word"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/settings", {"administration_id": 0, "accept_terms": True}, "administration_id"),
        ("/settings", {"administration_id": 2**63, "accept_terms": True}, "administration_id"),
        ("/settings", {"administration_id": "1", "accept_terms": True}, "administration_id"),
        ("/settings", {"administration_id": 1, "accept_terms": "true"}, "accept_terms"),
        ("/check", {"administration_id": 1, "product": "P\x00"}, "product"),
        ("/check", {"administration_id": 1, "product": "x" * 101}, "product"),
        ("/sync", {"customers": 1}, "customers"),
    ],
)
async def test_values_the_document_refuses_are_a_422(
    client: httpx.AsyncClient,
    office: TenantKey,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.request(
        "PUT" if path == "/settings" else "POST", f"{P}{path}", json=body, headers=office.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith(field)


async def test_a_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.request("DELETE", f"{P}/settings", headers=office.headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"
