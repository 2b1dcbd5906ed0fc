"""Helpers for the sandbox's tests (plain code, no fixtures): the sandbox's OAuth client,
tokens minted on its control plane, and a sales invoice's body."""

from __future__ import annotations

from typing import Any

import httpx

REDIRECT_URI = "http://127.0.0.1:8100/api/v1/integration/oauth/callback"
CLIENT_ID = "simon-dev"
CLIENT_SECRET = "simon-dev-secret"


async def mint(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/_sandbox/tokens", json=body)
    assert response.status_code == 201, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


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
