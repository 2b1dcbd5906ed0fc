"""Helpers for sync_worker's tests (plain code, no fixtures): where the in-process sandbox
and the OAuth callback live, and `Wizard`, which walks the activation wizard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.tenants import TenantKey

SANDBOX = "http://rompslomp.test"
CALLBACK = "http://worker.test/api/v1/integration/oauth/callback"
ACCEPT_JSON = {"Accept": "application/json"}


@dataclass
class Wizard:
    """Walks the activation wizard for one tenant, asserting each step's status."""

    client: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    who: TenantKey

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(
            method, f"/api/v1/integration{path}", json=body, headers=self.who.headers
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def wipe_all(self) -> Any:
        preview = await self.call("GET", "/wipe")
        return await self.call("POST", "/wipe", {"tables": [t["table"] for t in preview["tables"]]})

    async def authorize(self) -> httpx.URL:
        """POST /connect, then do what the browser does at Rompslomp; returns the callback
        URL Rompslomp redirects to (not yet visited)."""
        url = (await self.call("POST", "/connect"))["authorize_url"]
        answer = await self.sandbox.get(url)
        assert answer.status_code in (302, 303), answer.text
        return httpx.URL(answer.headers["location"])

    async def callback(self, url: httpx.URL, **headers: str) -> httpx.Response:
        return await self.client.get(url.raw_path.decode(), headers=headers)

    async def connect(self) -> None:
        response = await self.callback(await self.authorize())
        assert response.status_code == 200, response.text

    async def administration(self) -> dict[str, Any]:
        items = (await self.call("GET", "/administrations"))["items"]
        return next(a for a in items if a["api_accessible"])

    async def product_codes(self, company_id: int) -> list[str]:
        listing = await self.sandbox.get(f"/_sandbox/companies/{company_id}/products")
        if listing.status_code == 200 and "products" in listing.json():
            return [p["invoice_line"]["product_code"] for p in listing.json()["products"]]
        return [f"P{n}" for n in range(1, 16)]

    async def activate(self) -> dict[str, Any]:
        await self.wipe_all()
        await self.connect()
        company = await self.administration()
        body = {
            "administration_id": company["id"],
            "work_time_product": "P1",
            "travel_time_product": "P2",
            "description_as_first_line": True,
            "filter_word": "garantie",
            "accept_terms": True,
        }
        saved: dict[str, Any] = await self.call("PUT", "/settings", body, status=202)
        return saved


def query_of(url: httpx.URL) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(url)).query).items()}
