"""`GET /api/v1/integration/oauth/callback`: where Rompslomp sends the browser back.

No API key: the single-use `state` says which tenant started the authorisation. The answer
is a plain Dutch page (or a 303 to `UI_RETURN_URL`); a client that asks for JSON gets
problem+json. Forged, expired or reused states and denied consent store no tokens.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.sync_worker.deps import RompslompDep, SessionDep
from services.sync_worker.integration import oauth
from services.sync_worker.integration.state import ensure_integration, state_after_reconnect
from services.sync_worker.log import writer
from services.sync_worker.problems import rompslomp_problems
from services.sync_worker.rompslomp.connection import store_tokens
from services.sync_worker.settings import SyncWorkerSettings
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel
from shared.problems import problem_response

log = structlog.get_logger("services.sync_worker.integration")
router = APIRouter(prefix="/api/v1/integration", tags=["integration"])


def _page(title: str, message: str, status_code: int) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status_code)


def _return_to(settings: SyncWorkerSettings, params: dict[str, str]) -> RedirectResponse | None:
    if not settings.ui_return_url:
        return None
    separator = "&" if "?" in settings.ui_return_url else "?"
    return RedirectResponse(
        f"{settings.ui_return_url}{separator}{urlencode(params)}", status_code=303
    )


def _callback_failure(
    request: Request, settings: SyncWorkerSettings, exc: oauth.CallbackError
) -> Response:
    redirect = _return_to(settings, {"rompslomp": "error", "code": exc.code})
    if redirect is not None:
        return redirect
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return problem_response(exc.status, exc.code, exc.detail)
    return _page("Koppelen met Rompslomp mislukt", exc.message_nl, exc.status)


@router.get(
    "/oauth/callback",
    response_class=HTMLResponse,
    responses={303: {"description": "Back to UI_RETURN_URL"}, 400: {"description": "Failed"}},
)
async def oauth_callback(
    request: Request,
    session: SessionDep,
    rompslomp: RompslompDep,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Rompslomp sends the browser here after consent; `state` authenticates the call."""
    settings = rompslomp.settings
    try:
        with rompslomp_problems():  # the token key (not the callback) may be at fault: 503
            cipher = rompslomp.cipher()
        if not state:
            raise oauth.CallbackError(
                "The state parameter is missing.",
                code="invalid_state",
                message_nl="Deze koppeling is niet vanuit Simon gestart. Klik in Simon op Koppel.",
            )
        with rompslomp_problems():
            claimed = await oauth.claim_state(session, state, cipher)
        if error or not code:
            denied = oauth.CallbackError(
                f"Rompslomp did not grant access ({error or 'no code'}).",
                code="access_denied" if error == "access_denied" or not code else "oauth_error",
                message_nl=(
                    "Simon heeft geen toegang gekregen tot Rompslomp, dus de koppeling is niet "
                    "gemaakt. Klik in Simon opnieuw op Koppel en kies in Rompslomp 'Toestaan'."
                ),
            )
            writer.write(
                session,
                claimed.tenant_id,
                level=LogLevel.WARNING,
                message="Koppelen met Rompslomp is geweigerd: Simon heeft geen toegang gekregen.",
                action="Klik opnieuw op Koppel en kies in Rompslomp 'Toestaan'.",
                message_en="Connecting to Rompslomp was refused: Simon was not given access.",
                action_en="Click Connect again and choose 'Allow' at Rompslomp.",
            )
            await session.commit()
            log.warning("integration.oauth.denied", tenant_id=claimed.tenant_id, error=error)
            raise denied
        await session.commit()  # the state is spent before we call Rompslomp
        try:
            grant = await oauth.exchange_code(rompslomp, code, claimed.code_verifier)
        except oauth.CallbackError:
            writer.write(
                session,
                claimed.tenant_id,
                level=LogLevel.ERROR,
                message=(
                    "Koppelen met Rompslomp is mislukt: Rompslomp bevestigde de koppeling niet."
                ),
                action="Klik opnieuw op Koppel. Lukt het dan nog niet, probeer het later nog eens.",
                message_en="Connecting to Rompslomp failed: Rompslomp did not confirm it.",
                action_en="Click Connect again. If that fails too, try again later.",
            )
            await session.commit()
            raise
    except oauth.CallbackError as exc:
        return _callback_failure(request, settings, exc)

    integration = await ensure_integration(session, claimed.tenant_id)
    await store_tokens(
        session,
        claimed.tenant_id,
        grant.tokens,
        cipher,
        scope=grant.scope,
        connected_by=claimed.employee_id,
    )
    integration.connected_at = utcnow()
    reconnected = integration.state == IntegrationState.NEEDS_RECONNECT
    if reconnected:
        integration.state = state_after_reconnect(integration)
    writer.write(
        session,
        claimed.tenant_id,
        level=LogLevel.INFO,
        message="Koppeling met Rompslomp gemaakt.",
        action=(
            writer.NO_ACTION
            if integration.configured_at is not None
            else "Geen actie nodig. Kies nu de administratie en de instellingen."
        ),
        message_en="Connected to Rompslomp.",
        action_en=(
            writer.NO_ACTION_EN
            if integration.configured_at is not None
            else "No action needed. Now choose the administration and the settings."
        ),
    )
    await session.commit()
    log.info("integration.oauth.connected", tenant_id=claimed.tenant_id, reconnected=reconnected)
    redirect = _return_to(settings, {"rompslomp": "connected"})
    if redirect is not None:
        return redirect
    return _page(
        "Gekoppeld met Rompslomp",
        "Simon is gekoppeld met Rompslomp. Je kunt dit venster sluiten en verder gaan met de "
        "instellingen in Simon.",
        200,
    )
