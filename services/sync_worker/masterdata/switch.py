"""Changing the administration while active (R-SETUP-6): a switch, not an edit.

Saving settings with another administration records the switch (`switch_from_*` on the
settings) and defers `masterdata.switch`; until it is carried out no sync runs (sync.py's
`active_company`). The job runs as a re-activation:
1. exports still in flight to the old administration (`sending`, `unknown`) settle first,
   and a sync of the old administration still running ends: the job comes back every
   `WAIT` until neither is left (exports keep going meanwhile, new ones to the new
   administration);
2. the old administration's customers and articles leave Simon (deactivated where Simon
   holds anything of its own on them, deleted otherwise);
3. the new administration is imported in full (runs with trigger `switch`).
The log tells the story in three lines: the switch saved, the old records gone, the new
ones imported (written by the second of the two runs to finish).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.defer import defer
from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.log import writer
from services.sync_worker.masterdata.messages import Line
from services.sync_worker.masterdata.runs import SYNC_TASK, queue_runs
from shared.clock import utcnow
from shared.enums import IntegrationState, LogLevel, SyncEntity, SyncRunStatus, SyncTrigger
from shared.export_status import IN_FLIGHT
from shared.master_data_retire import Retired, retire, retire_effect, rompslomp_led
from shared.models.integration import Integration, InvoiceExport
from shared.models.integration_setup import IntegrationSettings, SyncRun, SyncState

log = structlog.get_logger("services.sync_worker.masterdata")

SWITCH_TASK = "masterdata.switch"
WAIT = timedelta(seconds=15)
ENTITIES: tuple[SyncEntity, ...] = tuple(SyncEntity)


async def defer_switch(
    session: AsyncSession, tenant_id: int, *, not_before: datetime | None = None
) -> None:
    key = f"switch:{tenant_id}"
    await defer(
        session,
        SWITCH_TASK,
        args={"tenant_id": tenant_id},
        lock=key,
        queueing_lock=key,
        scheduled_at=not_before,
    )


_SYNC_RUNNING = text(
    "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task AND status = 'doing' "
    "AND (args->>'tenant_id')::bigint = :tenant_id"
)


async def syncs_running(session: AsyncSession, tenant_id: int) -> int:
    """Sync jobs of the tenant running now: one may still be writing the old records. (A
    job of a dead worker is handed out again within seconds and then ends at once.)"""
    count = await session.scalar(_SYNC_RUNNING, {"task": SYNC_TASK, "tenant_id": tenant_id})
    return int(count or 0)


async def exports_in_flight(session: AsyncSession, tenant_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(InvoiceExport)
        .where(
            InvoiceExport.tenant_id == tenant_id,
            # an export whose POST may have reached Rompslomp
            InvoiceExport.status.in_(IN_FLIGHT),
        )
    )
    return int(count or 0)


async def effect(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    """What a switch would change now: the 409's counts."""
    counts = {"exports_in_flight": await exports_in_flight(session, tenant_id)}
    for entity in ENTITIES:
        ids = await rompslomp_led(session, tenant_id, entity)
        would = await retire_effect(session, tenant_id, entity, ids)
        counts[f"{entity}_removed"] = would.removed
        counts[f"{entity}_deactivated"] = would.deactivated
    return counts


async def request_switch(
    session: AsyncSession,
    tenant_id: int,
    *,
    old_id: int,
    old_name: str | None,
    new_name: str | None,
) -> None:
    """Record the switch and defer its job, in the caller's (the settings') transaction."""
    stored = await session.get(IntegrationSettings, tenant_id, populate_existing=True)
    assert stored is not None
    if stored.switch_from_administration_id is None:  # a second switch keeps the first origin
        stored.switch_from_administration_id = old_id
        stored.switch_from_administration_name = old_name
    stored.switch_requested_at = utcnow()
    await session.execute(
        update(SyncRun)
        .where(SyncRun.tenant_id == tenant_id, SyncRun.status == SyncRunStatus.QUEUED)
        .values(status=SyncRunStatus.CANCELLED, finished_at=utcnow())
    )
    await defer_switch(session, tenant_id)
    old = stored.switch_from_administration_name or old_name or old_id
    writer.write(
        session,
        tenant_id,
        level=LogLevel.INFO,
        message=(
            f"Administratie gewisseld van '{old}' naar '{new_name}'. Simon rondt eerst de "
            f"werkbonnen af die nog onderweg zijn naar '{old}', haalt dan de klanten en "
            f"artikelen van '{old}' weg en leest '{new_name}' in. Nieuwe werkbonnen gaan naar "
            f"'{new_name}'."
        ),
        message_en=(
            f"Administration switched from '{old}' to '{new_name}'. Simon first settles the "
            f"work orders still on their way to '{old}', then removes the customers and "
            f"articles of '{old}' and imports '{new_name}'. New work orders go to "
            f"'{new_name}'."
        ),
    )


async def carry_out(rt: Runtime, tenant_id: int) -> str:
    """The job: what it did (`waiting` when it comes back later)."""
    async with rt.sessions() as session:
        integration = await session.get(Integration, tenant_id, populate_existing=True)
        stored = await session.get(IntegrationSettings, tenant_id, populate_existing=True)
        if stored is None or stored.switch_from_administration_id is None:
            await session.commit()
            return "nothing"
        if integration is None or integration.state != IntegrationState.ACTIVE:
            await session.commit()  # (re)activation defers the job again
            return "inactive"
        if await exports_in_flight(session, tenant_id) or await syncs_running(session, tenant_id):
            await defer_switch(session, tenant_id, not_before=utcnow() + WAIT)
            await session.commit()
            return "waiting"
        old = stored.switch_from_administration_name or str(stored.switch_from_administration_id)
        new = stored.administration_name or str(stored.administration_id)
        retired = {
            entity: await retire(
                session, tenant_id, entity, await rompslomp_led(session, tenant_id, entity)
            )
            for entity in ENTITIES
        }
        await session.execute(
            update(SyncState)
            .where(SyncState.tenant_id == tenant_id)
            .values(
                pending_deletions=None,
                pending_since=None,
                listed_at=None,
                listed_total=None,
                probe_total=None,
                skipped=None,
                repair_pending=False,
            )
        )
        stored.switch_from_administration_id = None
        stored.switch_from_administration_name = None
        stored.switch_requested_at = None
        await session.execute(
            update(SyncRun)
            .where(
                SyncRun.tenant_id == tenant_id,
                SyncRun.status.in_((SyncRunStatus.QUEUED, SyncRunStatus.RUNNING)),
            )
            .values(status=SyncRunStatus.CANCELLED, finished_at=utcnow())
        )
        await queue_runs(session, tenant_id, list(SyncEntity), trigger=SyncTrigger.SWITCH)
        _write_retired(session, tenant_id, old, new, retired)
        await session.commit()
    log.info("sync.switch.done", tenant_id=tenant_id)
    return "switched"


def _write_retired(
    session: AsyncSession, tenant_id: int, old: str, new: str, retired: dict[SyncEntity, Retired]
) -> None:
    customers, articles = retired[SyncEntity.CUSTOMERS], retired[SyncEntity.ARTICLES]
    writer.write(
        session,
        tenant_id,
        level=LogLevel.INFO,
        message=(
            f"Klanten en artikelen van '{old}' uit Simon gehaald: {customers.removed} klanten "
            f"en {articles.removed} artikelen verwijderd, {customers.deactivated} klanten en "
            f"{articles.deactivated} artikelen gedeactiveerd omdat Simon er nog gegevens bij "
            f"heeft. '{new}' wordt nu ingelezen."
        ),
        message_en=(
            f"Customers and articles of '{old}' taken out of Simon: {customers.removed} "
            f"customers and {articles.removed} articles removed, {customers.deactivated} "
            f"customers and {articles.deactivated} articles deactivated because Simon still "
            f"holds data on them. '{new}' is being imported now."
        ),
    )


async def switch_summary(session: AsyncSession, tenant_id: int) -> list[Line]:
    """The third line, from whichever of the switch's two runs ends last (both lock the
    integration row here, so exactly one of them sees the other finished)."""
    await session.execute(
        select(Integration.tenant_id).where(Integration.tenant_id == tenant_id).with_for_update()
    )
    latest = {
        row.entity: row
        for row in await session.scalars(
            select(SyncRun)
            .where(SyncRun.tenant_id == tenant_id, SyncRun.trigger == SyncTrigger.SWITCH)
            .order_by(SyncRun.id.desc())
            .limit(2)
            .execution_options(populate_existing=True)
        )
    }
    finished = all(run.status == SyncRunStatus.FINISHED for run in latest.values())
    if set(latest) != set(SyncEntity) or not finished:
        return []
    customers, articles = latest[SyncEntity.CUSTOMERS], latest[SyncEntity.ARTICLES]
    name = await session.scalar(
        select(IntegrationSettings.administration_name).where(
            IntegrationSettings.tenant_id == tenant_id
        )
    )
    skipped = customers.skipped + articles.skipped
    return [
        Line(
            LogLevel.INFO,
            f"Administratie '{name}' ingelezen: {customers.added} klanten en {articles.added} "
            "artikelen toegevoegd"
            + (f", {skipped} overgeslagen (zie de waarschuwingen)." if skipped else "."),
            f"Administration '{name}' imported: {customers.added} customers and "
            f"{articles.added} articles added"
            + (f", {skipped} skipped (see the warnings)." if skipped else "."),
        )
    ]
