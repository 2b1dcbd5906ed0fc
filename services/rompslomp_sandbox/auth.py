"""Bearer-token checks for ``/api/v1``: token, scope, company access."""

from __future__ import annotations

import time

from fastapi import Request

from .errors import REALM, ApiError, invalid_token, not_found
from .state import AccessToken, Company, SandboxState


def get_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def authenticate(request: Request, scope: str) -> AccessToken:
    """The request's valid access token that carries ``scope``; 401/403 otherwise."""
    state = get_state(request)
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        raise invalid_token("Er is geen access token meegegeven")
    token = state.access_tokens.get(value.strip())
    if token is None:
        raise invalid_token("Het access token is ongeldig")
    if token.revoked or token.grant_id in state.revoked_grants:
        raise invalid_token("Het access token is ingetrokken")
    if token.expired or time.time() >= token.expires_at:
        raise invalid_token("Het access token is verlopen")
    if scope not in token.scopes:
        description = f"Voor deze actie is de scope '{scope}' nodig"
        raise ApiError(
            403,
            "client.authorization.invalid_scope",
            description,
            headers={
                "WWW-Authenticate": (
                    f'{REALM}, error="insufficient_scope", error_description="{description}"'
                )
            },
        )
    return token


def parse_id(raw: str, model: str) -> int:
    if not raw.isdigit():
        raise not_found(model)
    return int(raw)


def company_for(request: Request, company_id: str, scope: str) -> Company:
    """The company the token may use with ``scope``; 401/403/404 otherwise."""
    authenticate(request, scope)
    company = get_state(request).companies.get(parse_id(company_id, "Onderneming"))
    if company is None:
        raise not_found("Onderneming")
    if not company.api_accessible:
        raise ApiError(
            403,
            "client.authorization.access_denied",
            "Deze onderneming is niet toegankelijk via de API (Gratis abonnement)",
        )
    if scope not in company.allowed_scopes:
        raise ApiError(
            403,
            "client.authorization.access_denied",
            f"De scope '{scope}' is voor deze onderneming niet toegestaan",
        )
    return company
