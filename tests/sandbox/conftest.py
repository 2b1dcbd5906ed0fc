"""Fixtures for the sandbox tests: a fresh in-process sandbox per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.rompslomp_sandbox.app import create_app
from services.rompslomp_sandbox.settings import SandboxSettings

REDIRECT_URI = "http://127.0.0.1:8100/api/v1/integration/oauth/callback"
CLIENT_ID = "simon-dev"
CLIENT_SECRET = "simon-dev-secret"


@pytest.fixture
def settings() -> SandboxSettings:
    return SandboxSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=REDIRECT_URI,
        auto_approve=True,
        token_expires_in=7200,
        seed_demo=False,
    )


@pytest.fixture
def app(settings: SandboxSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client


@pytest.fixture
async def company_id(client: httpx.AsyncClient) -> int:
    response = await client.post(
        "/_sandbox/companies", json={"name": "Installatiebedrijf Test B.V."}
    )
    assert response.status_code == 201
    company_id: int = response.json()["company"]["id"]
    return company_id


async def mint(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/_sandbox/tokens", json=body)
    assert response.status_code == 201, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


@pytest.fixture
async def tokens(client: httpx.AsyncClient) -> dict[str, Any]:
    return await mint(
        client,
        scopes=" ".join(
            [
                "public",
                "manage:contacts",
                "manage:sales_invoices",
                "manage:products",
                "read:me",
                "manage:companies",
                "manage:payments",
            ]
        ),
    )


@pytest.fixture
def auth(tokens: dict[str, Any]) -> dict[str, str]:
    return bearer(tokens["access_token"])


@pytest.fixture
def base(company_id: int) -> str:
    return f"/api/v1/companies/{company_id}"


@pytest.fixture
async def contact_id(client: httpx.AsyncClient, company_id: int) -> int:
    response = await client.post(
        f"/_sandbox/companies/{company_id}/contacts",
        json={
            "company_name": "Bakkerij Jansen",
            "contact_person_name": "Piet Jansen",
            "contact_person_email_address": "piet@bakkerijjansen.nl",
            "address": "Kerkstraat 12",
            "zipcode": "3511 AB",
            "city": "Utrecht",
        },
    )
    assert response.status_code == 201, response.text
    contact: int = response.json()["contact"]["id"]
    return contact


async def vat_type_id(client: httpx.AsyncClient, base: str, auth: dict[str, str], name: str) -> int:
    response = await client.get(f"{base}/vat_types", headers=auth)
    found: int = next(v["id"] for v in response.json()["vat_types"] if v["name"] == name)
    return found


def invoice_body(contact_id: int | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_id": contact_id,
        "date": "2026-03-02",
        "invoice_lines": [
            {"description": "Cv-ketel onderhoud", "price_per_unit": "75.0", "quantity": "4.0"}
        ],
    }
    body.update(extra)
    return {"sales_invoice": body}
