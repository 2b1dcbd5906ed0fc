"""OAuth 2.0 authorization-code flow: ``GET/POST /oauth/authorize`` and ``POST /oauth/token``.

Shapes follow the reference (Doorkeeper): RFC 6749 error bodies with Dutch descriptions,
form-encoded token requests, rotating refresh tokens, optional PKCE (S256 or plain).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import time
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .auth import get_state
from .errors import JSONResponse
from .settings import SandboxSettings
from .state import ALL_SCOPES, AccessToken, AuthorizationCode, RefreshToken, SandboxState

router = APIRouter()
CODE_LIFETIME = 600
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SCOPE_LABELS = {
    "public": "Algemene gegevens lezen (administraties, btw-tarieven)",
    "manage:companies": "Administraties beheren",
    "manage:contacts": "Contacten beheren",
    "manage:sales_invoices": "Verkoopfacturen beheren",
    "manage:payments": "Betalingen beheren",
    "manage:products": "Producten beheren",
    "read:accounts": "Grootboekrekeningen lezen",
    "manage:journal_entries": "Memoriaalboekingen beheren",
    "read:me": "Je naam en e-mailadres lezen",
    "manage:hours": "Uren beheren",
    "manage:rides": "Ritten beheren",
    "manage:expenses": "Uitgaven beheren",
    "manage:quotations": "Offertes beheren",
}


def _settings(request: Request) -> SandboxSettings:
    settings: SandboxSettings = request.app.state.settings
    return settings


def issue_tokens(
    state: SandboxState, scope: str, expires_in: int, grant_id: int | None = None
) -> dict[str, object]:
    """Mint an access/refresh token pair; the token endpoint's 200 body."""
    grant = grant_id if grant_id is not None else state.next_grant_id()
    now = time.time()
    access = AccessToken(
        token=secrets.token_urlsafe(32),
        grant_id=grant,
        scopes=frozenset(scope.split()),
        scope=scope,
        created_at=int(now),
        expires_at=now + expires_in,
    )
    refresh = RefreshToken(secrets.token_urlsafe(32), grant, scope, expires_in)
    state.access_tokens[access.token] = access
    state.refresh_tokens[refresh.token] = refresh
    return {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": refresh.token,
        "scope": scope,
        "created_at": access.created_at,
    }


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _redirect(uri: str, params: dict[str, str], status: int = 302) -> RedirectResponse:
    separator = "&" if "?" in uri else "?"
    return RedirectResponse(f"{uri}{separator}{urlencode(params)}", status_code=status)


def _error_page(message: str) -> HTMLResponse:
    page = f"<!doctype html><title>Fout</title><h1>Autorisatie mislukt</h1><p>{message}</p>"
    return HTMLResponse(page, status_code=400)


async def _form(request: Request) -> dict[str, str]:
    """Form fields from urlencoded, multipart (curl --form) or JSON bodies."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=HTTP).parsebytes(header + raw)
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload.decode()
        return fields
    if content_type.startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def _check_request(
    settings: SandboxSettings, params: dict[str, str]
) -> tuple[str, dict[str, str]] | Response:
    """(redirect_uri, params for the code) or the response that ends the flow."""
    if params.get("client_id") != settings.client_id:
        return _error_page("Onbekende client_id.")
    registered = settings.redirect_uri_list
    redirect_uri = params.get("redirect_uri") or (registered[0] if len(registered) == 1 else "")
    if redirect_uri not in registered:
        return _error_page("De redirect_uri komt niet overeen met de geregistreerde URI.")
    echo = {"state": params["state"]} if params.get("state") else {}
    if params.get("response_type") != "code":
        message = "Het autorisatietype wordt niet ondersteund."
        error = {"error": "unsupported_response_type", "error_description": message}
        return _redirect(redirect_uri, {**error, **echo})
    scope = " ".join(params.get("scope", "").split()) or "public"
    if any(name not in ALL_SCOPES for name in scope.split()):
        message = "De gevraagde scope is ongeldig, onbekend of onjuist."
        return _redirect(
            redirect_uri, {"error": "invalid_scope", "error_description": message, **echo}
        )
    challenge = params.get("code_challenge") or ""
    method = params.get("code_challenge_method") or ("plain" if challenge else "")
    if challenge and method not in ("S256", "plain"):
        message = "De code_challenge_method wordt niet ondersteund."
        return _redirect(
            redirect_uri, {"error": "invalid_request", "error_description": message, **echo}
        )
    fields = {
        "scope": scope,
        "code_challenge": challenge,
        "code_challenge_method": method,
        "redirect_uri_sent": "1" if params.get("redirect_uri") else "",
    }
    return redirect_uri, {**fields, **echo}


def _grant_code(
    state: SandboxState, settings: SandboxSettings, redirect_uri: str, params: dict[str, str]
) -> RedirectResponse:
    code = AuthorizationCode(
        code=secrets.token_urlsafe(24),
        client_id=settings.client_id,
        redirect_uri=redirect_uri,
        scopes=params["scope"],
        expires_at=time.time() + CODE_LIFETIME,
        code_challenge=params["code_challenge"] or None,
        code_challenge_method=params["code_challenge_method"] or None,
        redirect_uri_sent=bool(params["redirect_uri_sent"]),
    )
    state.codes[code.code] = code
    echo = {"state": params["state"]} if "state" in params else {}
    return _redirect(redirect_uri, {"code": code.code, **echo})


def _consent_page(query: dict[str, str], scope: str) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in query.items()
    )
    items = "".join(
        f"<li><code>{html.escape(s)}</code> — {html.escape(SCOPE_LABELS.get(s, s))}</li>"
        for s in scope.split()
    )
    page = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Rompslomp (sandbox) — toestemming</title>
</head><body>
<h1>Toegang verlenen</h1>
<p>De applicatie <strong>{html.escape(query.get("client_id", ""))}</strong> vraagt toegang tot
je Rompslomp-administraties:</p>
<ul>{items}</ul>
<form method="post" action="/oauth/authorize">{hidden}
<button type="submit" name="decision" value="approve">Toestaan</button>
<button type="submit" name="decision" value="deny">Weigeren</button>
</form></body></html>"""
    return HTMLResponse(page)


@router.get("/oauth/authorize", response_model=None)
async def authorize(request: Request) -> Response:
    settings = _settings(request)
    query = dict(request.query_params)
    checked = _check_request(settings, query)
    if isinstance(checked, Response):
        return checked
    redirect_uri, params = checked
    if settings.auto_approve:
        return _grant_code(get_state(request), settings, redirect_uri, params)
    return _consent_page(query, params["scope"])


@router.post("/oauth/authorize", response_model=None)
async def decide(request: Request) -> Response:
    settings = _settings(request)
    form = await _form(request)
    checked = _check_request(settings, form)
    if isinstance(checked, Response):
        return checked
    redirect_uri, params = checked
    if form.get("decision") != "approve":
        echo = {"state": params["state"]} if "state" in params else {}
        message = "De eigenaar van de gegevens of de autorisatieserver heeft het verzoek geweigerd."
        denied = {"error": "access_denied", "error_description": message, **echo}
        return _redirect(redirect_uri, denied, status=303)
    response = _grant_code(get_state(request), settings, redirect_uri, params)
    response.status_code = 303
    return response


def _client_ok(settings: SandboxSettings, request: Request, form: dict[str, str]) -> bool:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic ") and not secret:
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            return False
        client_id, _, secret = decoded.partition(":")
    expected = settings.client_secret.get_secret_value()
    return client_id == settings.client_id and hmac.compare_digest(
        (secret or "").encode(), expected.encode()
    )


def _redirect_uri_ok(code: AuthorizationCode, sent: str | None) -> bool:
    """RFC 6749 §4.1.3: required and identical when the authorization request carried it."""
    if sent is None:
        return not code.redirect_uri_sent
    return sent == code.redirect_uri


def _pkce_ok(code: AuthorizationCode, verifier: str | None) -> bool:
    if code.code_challenge is None:
        return True
    if not verifier:
        return False
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    return hmac.compare_digest(computed, code.code_challenge)


INVALID_GRANT = (
    "De verstrekte autorisatie is ongeldig, verlopen, ingetrokken, komt niet overeen met de "
    "redirect URI die is opgegeven in het autorisatieverzoek, of is uitgegeven aan een andere "
    "client."
)
INVALID_REQUEST = (
    "Het verzoek mist een vereiste parameter, bevat een niet-ondersteunde parameter waarde of "
    "is anderszins onjuist."
)
INVALID_CLIENT = (
    "Client verificatie is mislukt door onbekende klant, geen client authenticatie opgegeven, "
    "of een niet-ondersteunde authenticatie methode."
)


@router.post("/oauth/token")
async def token(request: Request) -> JSONResponse:
    settings = _settings(request)
    state = get_state(request)
    form = await _form(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", INVALID_REQUEST)
    if not _client_ok(settings, request, form):
        return oauth_error(401, "invalid_client", INVALID_CLIENT)
    if grant_type == "authorization_code":
        if not form.get("code"):
            return oauth_error(400, "invalid_request", INVALID_REQUEST)
        code = state.codes.get(form["code"])
        if (
            code is None
            or code.used
            or time.time() >= code.expires_at
            or not _redirect_uri_ok(code, form.get("redirect_uri"))
            or not _pkce_ok(code, form.get("code_verifier"))
        ):
            return oauth_error(400, "invalid_grant", INVALID_GRANT)
        code.used = True
        body = issue_tokens(state, code.scopes, settings.token_expires_in)
        return JSONResponse(body, headers=NO_STORE)
    if grant_type == "refresh_token":
        if not form.get("refresh_token"):
            return oauth_error(400, "invalid_request", INVALID_REQUEST)
        refresh = state.refresh_tokens.get(form["refresh_token"])
        if refresh is None or refresh.revoked or refresh.grant_id in state.revoked_grants:
            return oauth_error(400, "invalid_grant", INVALID_GRANT)
        # Rotation: the used refresh token stops working; the grant lives on in the new one.
        refresh.revoked = True
        body = issue_tokens(state, refresh.scope, refresh.expires_in, refresh.grant_id)
        return JSONResponse(body, headers=NO_STORE)
    return oauth_error(400, "unsupported_grant_type", "Het autorisatietype wordt niet ondersteund.")
