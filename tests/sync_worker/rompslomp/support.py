"""Helpers for the Rompslomp client's tests (plain code, no fixtures): the API's address and
test tokens, a recording token store, and Rompslomp's answers as respx side effects."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.sync_worker.rompslomp import RetryPolicy, RompslompClient, TokenSet

API = "https://api.rompslomp.test"
TOKEN_URL = f"{API}/oauth/token"
COMPANY = 1001
OLD_ACCESS = "old-access-4f9c2e"
OLD_REFRESH = "old-refresh-77ab10"
NEW_ACCESS = "new-access-b81d3a"
NEW_REFRESH = "new-refresh-c0ffee"
CLIENT_ID = "simon-test"
CLIENT_SECRET = "simon-test-secret-9d2"
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


@dataclass
class TokenStore:
    """Records rotated pairs and, shared with respx side effects, the order of events."""

    events: list[str] = field(default_factory=list)
    saved: list[TokenSet] = field(default_factory=list)
    failures_left: int = 0

    async def on_token_rotated(self, new: TokenSet) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise OSError("database unavailable")
        self.saved.append(new)
        self.events.append(f"persisted:{new.access_token}")


def bearer(request: httpx.Request) -> str:
    value: str = request.headers.get("Authorization", "")
    return value.removeprefix("Bearer ")


def token_response(access: str = NEW_ACCESS, refresh: str = NEW_REFRESH) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 7200,
            "refresh_token": refresh,
            "scope": "public manage:contacts manage:sales_invoices manage:products",
            "created_at": 1709334000,
        },
    )


def unauthorized() -> httpx.Response:
    return httpx.Response(
        401,
        headers={"WWW-Authenticate": 'Bearer realm="Rompslomp API v1", error="invalid_token"'},
        json={"error": {"type": "client.authentication.invalid_token", "message": "verlopen"}},
    )


def contact(number: int) -> dict[str, Any]:
    return {
        "id": 500_000 + number,
        "is_individual": False,
        "is_supplier": False,
        "name": f"Klant {number} B.V.",
        "company_name": f"Klant {number} B.V.",
        "contact_person_email_address": f"klant{number}@example.org",
        "contact_number": f"K{number:05d}",
        "city": "Utrecht",
        "country_code": "NL",
    }


def contacts_page(request: httpx.Request, total: int, *, per_page: int = 100) -> httpx.Response:
    """A page of ``total`` generated contacts, shaped like Rompslomp's list response."""
    page = int(request.url.params.get("page", "1"))
    size = int(request.url.params.get("per_page", "40"))
    start = (page - 1) * size
    numbers = range(start + 1, min(total, start + size) + 1)
    return httpx.Response(
        200,
        headers={"X-Page": str(page), "X-Per-Page": str(size), "X-Total": str(total)},
        json={"contacts": [contact(n) for n in numbers]},
    )


def form_of(request: httpx.Request) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.content.decode()))


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


ClientFactory = Callable[..., RompslompClient]
