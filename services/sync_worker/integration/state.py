"""The integration's state machine per tenant.

`integrations.state` keeps the four public values simon_api reads (never_activated, active,
inactive, needs_reconnect); the wizard's progress is kept beside it:

    never_activated ─wipe→ (wiped) ─connect→ (connected) ─settings→ (configured) ⇒ active
    active ─deactivate→ inactive ─(optional wipe)→ activate → active
    any connected state ─refresh token refused→ needs_reconnect ─connect→ the state before
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.export.queue import defer_unfinished
from services.sync_worker.log import writer
from services.sync_worker.masterdata.runs import expect_simon_edits, queue_runs
from services.sync_worker.masterdata.switch import defer_switch
from services.sync_worker.rompslomp.connection import forget_tokens
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel, SyncEntity, SyncRunStatus, SyncTrigger
from shared.models.integration import Integration
from shared.models.integration_setup import IntegrationSettings, SyncRun
from shared.problems import Conflict

log = structlog.get_logger("services.sync_worker.integration")


async def ensure_integration(session: AsyncSession, tenant_id: int) -> Integration:
    """The tenant's integration row, created when missing, locked for this transaction."""
    await session.execute(
        insert(Integration)
        .values(tenant_id=tenant_id, state=IntegrationState.NEVER_ACTIVATED)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    integration = await session.scalar(
        select(Integration)
        .where(Integration.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert integration is not None
    return integration


async def find_integration(session: AsyncSession, tenant_id: int) -> Integration | None:
    return await session.scalar(
        select(Integration)
        .where(Integration.tenant_id == tenant_id)
        .execution_options(populate_existing=True)
    )


def is_first_activation(integration: Integration | None) -> bool:
    return integration is None or integration.started_at is None


def require_not_active(integration: Integration, what: str) -> None:
    if integration.state == IntegrationState.ACTIVE:
        raise Conflict(
            f"The integration is active: deactivate it before you {what}.",
            code="integration_active",
        )


def state_after_reconnect(integration: Integration) -> IntegrationState:
    """needs_reconnect goes back to where it came from: active while a run had started and
    not ended, else inactive (deactivated earlier) or never_activated."""
    if integration.started_at is None:
        return IntegrationState.NEVER_ACTIVATED
    if integration.ended_at is None:
        return IntegrationState.ACTIVE
    return IntegrationState.INACTIVE


async def queue_syncs(
    session: AsyncSession, tenant_id: int, entities: Sequence[SyncEntity], *, trigger: SyncTrigger
) -> list[SyncRun]:
    """A queued run per entity and its job, in the caller's transaction; a second click
    folds into the waiting run and job (masterdata.runs)."""
    return await queue_runs(session, tenant_id, entities, trigger=trigger)


async def activate(session: AsyncSession, integration: Integration, *, first: bool) -> None:
    now = utcnow()
    integration.state = IntegrationState.ACTIVE
    integration.started_at = now
    integration.ended_at = None
    switching = await session.scalar(
        select(IntegrationSettings.switch_from_administration_id).where(
            IntegrationSettings.tenant_id == integration.tenant_id
        )
    )
    if switching is not None:
        # An administration switch saved while inactive: it imports the new one itself.
        await defer_switch(session, integration.tenant_id)
    else:
        trigger = SyncTrigger.INITIAL if first else SyncTrigger.RESUME
        await queue_syncs(session, integration.tenant_id, list(SyncEntity), trigger=trigger)
    # Archived work orders that waited while the integration was off are sent now (R-SETUP-7).
    await defer_unfinished(session, tenant_id=integration.tenant_id)
    writer.write(
        session,
        integration.tenant_id,
        level=LogLevel.INFO,
        message=(
            "Integratie met Rompslomp geactiveerd. De synchronisatie van klanten en artikelen "
            "wordt op de achtergrond gestart; gearchiveerde werkbonnen worden als "
            "conceptfactuur naar Rompslomp gestuurd."
        ),
        action=(
            "Geen actie nodig. De eerste keer kan het ophalen van alle klanten en artikelen "
            "even duren."
            if first
            else writer.NO_ACTION
        ),
    )


async def deactivate(session: AsyncSession, integration: Integration) -> None:
    integration.state = IntegrationState.INACTIVE
    integration.ended_at = utcnow()
    # A later re-activation offers the (optional) wipe again.
    integration.wiped_at = None
    await expect_simon_edits(session, integration.tenant_id)
    await session.execute(
        update(SyncRun)
        .where(SyncRun.tenant_id == integration.tenant_id, SyncRun.status == SyncRunStatus.QUEUED)
        .values(status=SyncRunStatus.CANCELLED, finished_at=utcnow())
    )
    writer.write(
        session,
        integration.tenant_id,
        level=LogLevel.INFO,
        message=(
            "Integratie met Rompslomp gedeactiveerd. Simon haalt geen klanten en artikelen "
            "meer op en stuurt geen werkbonnen meer naar Rompslomp."
        ),
        action="Geen actie nodig. Activeer de integratie opnieuw om weer te synchroniseren.",
    )


async def mark_needs_reconnect(session: AsyncSession, tenant_id: int) -> None:
    """Rompslomp refused our refresh token: the user must authorise again (R-SETUP-3).
    The connection calls it (`Rompslomp.on_revoked`) in the transaction it commits."""
    integration = await ensure_integration(session, tenant_id)
    integration.state = IntegrationState.NEEDS_RECONNECT
    integration.connected_at = None
    await expect_simon_edits(session, tenant_id)
    await forget_tokens(session, tenant_id)
    writer.write(
        session,
        tenant_id,
        level=LogLevel.ERROR,
        message=(
            "Rompslomp weigert de koppeling: de toegang is ingetrokken of verlopen. "
            "Simon haalt geen klanten en artikelen op en stuurt geen werkbonnen door."
        ),
        action=writer.RECONNECT,
        message_en=(
            "Rompslomp refuses the connection: access was revoked or has expired. Simon "
            "fetches no customers and articles and sends no work orders."
        ),
    )
    log.warning("integration.connection.revoked", tenant_id=tenant_id)
