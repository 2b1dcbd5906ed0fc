"""`/api/v1/integration`: the activation wizard, settings, status, (de)activation.

Office keys only (a field key gets 403 `office_only`). The OAuth callback (no key: its
`state` authenticates it) is in callback.py, the log's listing in log/routes.py, sync now,
the runs and deletions to confirm in sync_routes.py (included here). Endpoints
that call Rompslomp end their transaction first and write the outcome in a new one
(STYLE 1).
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from services.sync_worker.deps import OfficeDep, RompslompDep, SessionDep, SessionsDep
from services.sync_worker.integration import oauth, service, status, sync_routes
from services.sync_worker.integration.schemas import (
    Administrations,
    CheckRequest,
    ConnectOut,
    DeactivateRequest,
    HeldDeletionsOut,
    IntegrationStatus,
    ProductOut,
    SettingsHistory,
    SettingsIn,
    SettingsOut,
    SyncRunOut,
    TableStatusOut,
    WipedTable,
    WipePreview,
    WipeRequest,
    WipeResult,
    WipeTableOut,
    Wizard,
)
from services.sync_worker.integration.state import (
    activate,
    deactivate,
    ensure_integration,
    find_integration,
    is_first_activation,
    require_not_active,
)
from services.sync_worker.log import writer
from services.sync_worker.masterdata import switch
from services.sync_worker.problems import THROTTLED, rompslomp_problems
from services.sync_worker.rompslomp.connection import connected
from shared import wipe
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel
from shared.master_data_status import table_statuses
from shared.models.integration_setup import IntegrationSettings
from shared.problems import (
    PROBLEM_RESPONSES,
    Conflict,
    InvalidInput,
    NotFound,
    documented,
)

log = structlog.get_logger("services.sync_worker.integration")
router = APIRouter(prefix="/api/v1/integration", tags=["integration"], responses=PROBLEM_RESPONSES)
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")


async def _status(session: SessionDep, tenant_id: int) -> IntegrationStatus:
    integration = await find_integration(session, tenant_id)
    tables = await table_statuses(session, tenant_id)
    runs = await status.latest_runs(session, tenant_id)
    return IntegrationStatus(
        state=integration.state if integration else IntegrationState.NEVER_ACTIVATED,
        wizard=Wizard(
            wiped=bool(integration and integration.wiped_at),
            connected=bool(integration and integration.connected_at),
            configured=bool(integration and integration.configured_at),
        ),
        first_activation=is_first_activation(integration),
        started_at=integration.started_at if integration else None,
        ended_at=integration.ended_at if integration else None,
        tables=[TableStatusOut.model_validate(t, from_attributes=True) for t in tables],
        sync=[SyncRunOut.model_validate(r, from_attributes=True) for r in runs],
        held_deletions=[
            HeldDeletionsOut.model_validate(h, from_attributes=True)
            for h in await status.held_deletions(session, tenant_id)
        ],
    )


@router.get("", response_model=IntegrationStatus, responses=OFFICE_ONLY)
async def get_status(session: SessionDep, office: OfficeDep) -> IntegrationStatus:
    return await _status(session, office.tenant_id)


# -- step 1: wipe -------------------------------------------------------------------------


@router.get("/wipe", response_model=WipePreview, responses=OFFICE_ONLY)
async def wipe_preview(session: SessionDep, office: OfficeDep) -> WipePreview:
    first = is_first_activation(await find_integration(session, office.tenant_id))
    return WipePreview(
        first_activation=first,
        tables=[
            WipeTableOut(
                table=s.table.name,
                label=s.table.label,
                count=s.count,
                last_mutation_at=s.last_mutation_at,
                required=first,
            )
            for s in await wipe.preview(session, office.tenant_id)
        ],
    )


@router.post(
    "/wipe",
    response_model=WipeResult,
    responses={**OFFICE_ONLY, **documented(409, "`integration_active`")},
)
async def wipe_tables(body: WipeRequest, session: SessionDep, office: OfficeDep) -> WipeResult:
    integration = await ensure_integration(session, office.tenant_id)
    require_not_active(integration, "empty Simon's tables")
    names = wipe.plan(body.tables, first_activation=is_first_activation(integration))
    deleted = await wipe.wipe(session, office.tenant_id, names)
    integration.wiped_at = utcnow()
    summary = ", ".join(f"{wipe.BY_NAME[name].label} ({count})" for name, count in deleted.items())
    writer.write(
        session,
        office.tenant_id,
        level=LogLevel.INFO,
        message=f"Simon-gegevens gewist: {summary}.",
        action="Geen actie nodig. Maak nu de koppeling met Rompslomp (Koppel).",
        message_en=f"Simon data wiped: {summary}.",
        action_en="No action needed. Now connect to Rompslomp (Connect).",
    )
    await session.commit()
    log.info("integration.wipe.done", tenant_id=office.tenant_id, deleted=deleted)
    return WipeResult(tables=[WipedTable(table=n, deleted=c) for n, c in deleted.items()])


# -- step 2: connect ----------------------------------------------------------------------


@router.post(
    "/connect",
    response_model=ConnectOut,
    responses={**OFFICE_ONLY, **documented(409, "`wipe_required`")},
)
async def connect(session: SessionDep, office: OfficeDep, rompslomp: RompslompDep) -> ConnectOut:
    with rompslomp_problems():
        cipher = rompslomp.cipher()
    integration = await ensure_integration(session, office.tenant_id)
    if is_first_activation(integration) and integration.wiped_at is None:
        raise Conflict(
            "Empty Simon's tables first (POST /wipe): Rompslomp leads the data.",
            code="wipe_required",
        )
    url = await oauth.start_authorization(
        session, office.tenant_id, office.employee_id, rompslomp, cipher
    )
    writer.write(
        session,
        office.tenant_id,
        level=LogLevel.INFO,
        message="Koppelen met Rompslomp gestart.",
        action="Log in bij Rompslomp en geef Simon toegang (binnen 10 minuten).",
        message_en="Connecting to Rompslomp started.",
        action_en="Log in at Rompslomp and give Simon access (within 10 minutes).",
    )
    await session.commit()
    log.info("integration.connect.started", tenant_id=office.tenant_id)
    return ConnectOut(authorize_url=url)


# -- step 3: administrations, check, settings ---------------------------------------------


@router.get(
    "/administrations",
    response_model=Administrations,
    responses={
        **OFFICE_ONLY,
        **documented(409, "`not_connected`, `needs_reconnect`"),
        **THROTTLED,
    },
)
async def list_administrations(
    office: OfficeDep, rompslomp: RompslompDep, sessions: SessionsDep
) -> Administrations:
    with rompslomp_problems():
        async with connected(rompslomp, sessions, office.tenant_id) as client:
            return Administrations(items=await service.administrations(client))


@router.post(
    "/check",
    response_model=ProductOut,
    responses={
        **OFFICE_ONLY,
        **documented(409, "`not_connected`, `needs_reconnect`"),
        **THROTTLED,
    },
)
async def check(
    body: CheckRequest, office: OfficeDep, rompslomp: RompslompDep, sessions: SessionsDep
) -> ProductOut:
    """ "Controleer": a product (id or code) in the chosen administration."""
    with rompslomp_problems():
        async with connected(rompslomp, sessions, office.tenant_id) as client:
            return await service.check_product(client, body.administration_id, body.product)


@router.get(
    "/settings",
    response_model=SettingsOut,
    responses={**OFFICE_ONLY, **documented(404, "`settings_not_found`: not saved yet")},
)
async def get_settings(session: SessionDep, office: OfficeDep) -> SettingsOut:
    stored = await session.get(IntegrationSettings, office.tenant_id)
    if stored is None:
        raise NotFound("No settings saved yet.", code="settings_not_found")
    integration = await find_integration(session, office.tenant_id)
    state = integration.state if integration else IntegrationState.NEVER_ACTIVATED
    return service.settings_out(stored, state)


@router.get("/settings/history", response_model=SettingsHistory, responses=OFFICE_ONLY)
async def settings_history(session: SessionDep, office: OfficeDep) -> SettingsHistory:
    return SettingsHistory(items=await service.history(session, office.tenant_id))


@router.put(
    "/settings",
    response_model=SettingsOut,
    responses={
        202: {"model": SettingsOut, "description": "Saved; the integration is now active"},
        **OFFICE_ONLY,
        **documented(
            409,
            "`not_connected`, `wipe_required`, `needs_reconnect`, "
            "`administration_switch_unconfirmed` (with `counts`: what the switch would change)",
        ),
        **THROTTLED,
    },
)
async def put_settings(
    body: SettingsIn,
    response: Response,
    session: SessionDep,
    office: OfficeDep,
    rompslomp: RompslompDep,
    sessions: SessionsDep,
) -> SettingsOut | JSONResponse:
    service.require_terms(body)
    integration = await find_integration(session, office.tenant_id)
    if integration is None or integration.connected_at is None:
        raise Conflict("Connect to Rompslomp first (POST /connect).", code="not_connected")
    if is_first_activation(integration) and integration.wiped_at is None:
        raise Conflict("Empty Simon's tables first (POST /wipe).", code="wipe_required")
    before = await session.get(IntegrationSettings, office.tenant_id)
    switching = (
        before is not None
        and not is_first_activation(integration)
        and before.administration_id != body.administration_id
    )
    if switching and not body.confirm_administration_switch:
        return await sync_routes.switch_unconfirmed(
            session, office.tenant_id, body.administration_id
        )
    old = (before.administration_id, before.administration_name) if before else None
    await session.commit()

    with rompslomp_problems():
        async with connected(rompslomp, sessions, office.tenant_id) as client:
            company, products = await service.resolve_settings(client, body)

    now = utcnow()
    integration = await ensure_integration(session, office.tenant_id)
    stored = await service.store_settings(
        session,
        office.tenant_id,
        office.employee_id,
        body,
        company,
        products,
        now=now,
        logged=not switching,
    )
    if switching and old is not None:
        await switch.request_switch(
            session, office.tenant_id, old_id=old[0], old_name=old[1], new_name=company.name
        )
        stored = await service.reload_settings(session, office.tenant_id)
    integration.configured_at = now
    activated = False
    if integration.state == IntegrationState.NEVER_ACTIVATED and integration.wiped_at is not None:
        await activate(session, integration, first=True)
        activated = True
    state = integration.state
    runs = await status.latest_runs(session, office.tenant_id) if activated else []
    await session.commit()
    log.info("integration.settings.saved", tenant_id=office.tenant_id, activated=activated)
    if activated:
        response.status_code = 202
    return service.settings_out(stored, state, runs)


# -- deactivate / activate ----------------------------------------------------------------


@router.post(
    "/deactivate",
    response_model=IntegrationStatus,
    responses={**OFFICE_ONLY, **documented(409, "`not_active`")},
)
async def deactivate_integration(
    body: DeactivateRequest, session: SessionDep, office: OfficeDep
) -> IntegrationStatus:
    if not body.confirm:
        raise InvalidInput(
            "confirm",
            "Bevestig dat je de integratie wilt stoppen (confirm: true).",
            code="confirmation_required",
        )
    integration = await ensure_integration(session, office.tenant_id)
    if integration.state not in (IntegrationState.ACTIVE, IntegrationState.NEEDS_RECONNECT):
        raise Conflict("The integration is not active.", code="not_active")
    await deactivate(session, integration)
    await session.commit()
    log.info("integration.deactivated", tenant_id=office.tenant_id)
    return await _status(session, office.tenant_id)


@router.post(
    "/activate",
    response_model=IntegrationStatus,
    responses={
        **OFFICE_ONLY,
        **documented(
            409, "`wizard_incomplete`, `already_active`, `needs_reconnect`, `not_connected`"
        ),
        **THROTTLED,
    },
)
async def activate_integration(
    session: SessionDep, office: OfficeDep, rompslomp: RompslompDep, sessions: SessionsDep
) -> IntegrationStatus:
    """Re-activate after a deactivation (optionally after a partial wipe, R-SETUP-7)."""
    integration = await find_integration(session, office.tenant_id)
    stored = await session.get(IntegrationSettings, office.tenant_id)
    if (
        integration is None
        or integration.state == IntegrationState.NEVER_ACTIVATED
        or stored is None
    ):
        raise Conflict(
            "Complete the activation wizard first: wipe, connect, settings.",
            code="wizard_incomplete",
        )
    if integration.state == IntegrationState.ACTIVE:
        raise Conflict("The integration is already active.", code="already_active")
    if integration.state == IntegrationState.NEEDS_RECONNECT or integration.connected_at is None:
        raise Conflict("Connect to Rompslomp again first.", code="needs_reconnect")
    administration_id = stored.administration_id
    await session.commit()

    with rompslomp_problems():
        async with connected(rompslomp, sessions, office.tenant_id) as client:
            await service.resolve_administration(client, administration_id)

    integration = await ensure_integration(session, office.tenant_id)
    if integration.state != IntegrationState.INACTIVE:
        raise Conflict("The integration changed meanwhile; reload.", code="state_changed")
    await activate(session, integration, first=False)
    await session.commit()
    log.info("integration.activated", tenant_id=office.tenant_id)
    return await _status(session, office.tenant_id)


# "Nu synchroniseren", runs and deletions to confirm: sync_routes.py, same prefix.
router.include_router(sync_routes.router)
