"""Fixtures for the sandbox tests: a fresh in-process sandbox per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.rompslomp_sandbox.app import create_app
from services.rompslomp_sandbox.settings import SandboxSettings
from tests.rompslomp_sandbox.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, bearer, mint


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
