"""`/api/v1/integration` for master data (R-SYNC, R-MASTER-4, R-SETUP-6): "Nu
synchroniseren", the runs, held-back deletions to confirm, and the 409 of an administration
switch without confirmation. Office keys only; included by router.py. The work itself is
masterdata's (runs, deletions, the switch), which knows nothing of routes.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.sync_worker.deps import OfficeDep, SessionDep
from services.sync_worker.integration import status
from services.sync_worker.integration.schemas import (
    ConfirmDeletionsOut,
    ConfirmDeletionsRequest,
    SyncRequest,
    SyncRunList,
    SyncRunOut,
    SyncRuns,
)
from services.sync_worker.integration.state import ensure_integration, queue_syncs
from services.sync_worker.log import writer
from services.sync_worker.masterdata import deletions, switch
from services.sync_worker.masterdata.entities import ENTITIES
from shared.enums import IntegrationState, LogLevel, SyncEntity, SyncTrigger
from shared.models.integration_setup import IntegrationSettings
from shared.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    Conflict,
    InvalidInput,
    documented,
)

log = structlog.get_logger("services.sync_worker.integration")
router = APIRouter(tags=["integration"], responses=PROBLEM_RESPONSES)
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")


@router.post(
    "/sync",
    response_model=SyncRuns,
    status_code=202,
    responses={
        **OFFICE_ONLY,
        **documented(409, "`not_active`, `administration_switch_pending`"),
    },
)
async def sync_now(body: SyncRequest, session: SessionDep, office: OfficeDep) -> SyncRuns:
    """ "Nu synchroniseren": queue a run per chosen entity (a queued one is reused)."""
    entities = [entity for entity in SyncEntity if getattr(body, entity)]
    if not entities:
        raise InvalidInput("customers", "Kies klanten en/of artikelen.", code="nothing_to_sync")
    integration = await ensure_integration(session, office.tenant_id)
    if integration.state != IntegrationState.ACTIVE:
        raise Conflict("The integration is not active.", code="not_active")
    stored = await session.get(IntegrationSettings, office.tenant_id)
    if stored is not None and stored.switch_from_administration_id is not None:
        raise Conflict(
            "The administration is being switched; its import follows by itself.",
            code="administration_switch_pending",
        )
    runs = await queue_syncs(session, office.tenant_id, entities, trigger=SyncTrigger.MANUAL)
    labels = " en ".join(ENTITIES[entity].label for entity in entities)
    writer.write(
        session,
        office.tenant_id,
        level=LogLevel.INFO,
        message=f"Synchronisatie van {labels} aangevraagd.",
    )
    await session.commit()
    return SyncRuns(runs=[SyncRunOut.model_validate(r, from_attributes=True) for r in runs])


@router.post(
    "/sync/confirm-deletions",
    response_model=ConfirmDeletionsOut,
    responses={**OFFICE_ONLY, **documented(409, "`not_active`, `nothing_to_confirm`")},
)
async def confirm_deletions(
    body: ConfirmDeletionsRequest, session: SessionDep, office: OfficeDep
) -> ConfirmDeletionsOut:
    """Carry out the deletions the mass-deletion guard held back (R-MASTER-4): records
    missing from Rompslomp's last complete listing are deleted, or deactivated when Simon
    holds anything of its own on them. 409 `nothing_to_confirm` when none are waiting."""
    integration = await ensure_integration(session, office.tenant_id)
    if integration.state != IntegrationState.ACTIVE:
        raise Conflict("The integration is not active.", code="not_active")
    counts = await deletions.confirm(session, office.tenant_id, ENTITIES[body.entity])
    await session.commit()
    log.info(
        "integration.deletions.confirmed",
        tenant_id=office.tenant_id,
        entity=body.entity,
        deactivated=counts.deactivated,
        removed=counts.removed,
    )
    return ConfirmDeletionsOut(
        entity=body.entity, deactivated=counts.deactivated, removed=counts.removed
    )


@router.get("/sync-runs", response_model=SyncRunList, responses=OFFICE_ONLY)
async def sync_runs(session: SessionDep, office: OfficeDep) -> SyncRunList:
    runs = await status.recent_runs(session, office.tenant_id)
    return SyncRunList(items=[SyncRunOut.model_validate(r, from_attributes=True) for r in runs])


async def switch_unconfirmed(
    session: SessionDep, tenant_id: int, administration_id: int
) -> JSONResponse:
    """409 for a switch without `confirm_administration_switch`: what it would change."""
    counts = await switch.effect(session, tenant_id)
    detail = (
        f"Administration {administration_id} is another administration: saving it removes "
        f"{counts['customers_removed']} customers and {counts['articles_removed']} articles "
        f"of the current one from Simon and deactivates {counts['customers_deactivated']} "
        f"customers and {counts['articles_deactivated']} articles Simon still holds data on, "
        f"after {counts['exports_in_flight']} exports in flight have settled; then the new "
        "administration is imported. Send confirm_administration_switch: true to go ahead."
    )
    body = {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": detail,
        "code": "administration_switch_unconfirmed",
        "counts": counts,
    }
    await session.commit()
    return JSONResponse(body, status_code=409, media_type=PROBLEM_MEDIA_TYPE)
