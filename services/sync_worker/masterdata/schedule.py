"""Deciding what is due (DESIGN D4) and the cheap X-Total probe.

`tick` runs every minute as one periodic job (deferred once per minute across all
workers): per active tenant × entity it queues a full run or a probe, as `cadence.due`
says. A probe whose `X-Total` differs from the last complete listing's queues a full run
at once: additions and deletions show up within `sync_probe_minutes`; edits, which leave
the count alone, within the size-budgeted full cadence.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import text

from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.masterdata.cadence import EntityClock, due
from services.sync_worker.masterdata.entities import ENTITIES
from services.sync_worker.masterdata.runs import defer_probe, queue_runs, sync_state
from services.sync_worker.masterdata.switch import defer_switch
from services.sync_worker.masterdata.sync import active_company
from services.sync_worker.rompslomp import RompslompError
from services.sync_worker.rompslomp.connection import connected
from shared.clock import utcnow
from shared.enums import IntegrationState, SyncEntity, SyncRunStatus, SyncTrigger

log = structlog.get_logger("services.sync_worker.masterdata")

_ENTITIES = ", ".join(f"('{entity}')" for entity in SyncEntity)
_CLOCKS = text(
    f"""
    SELECT i.tenant_id, e.entity, s.probed_at, s.listed_total,
           greatest(s.listed_at, (SELECT max(r.finished_at) FROM sync_runs r
                                  WHERE r.tenant_id = i.tenant_id AND r.entity = e.entity
                                    AND r.status IN ('{SyncRunStatus.FINISHED}',
                                                     '{SyncRunStatus.FAILED}'))) AS last_full,
           EXISTS (SELECT 1 FROM sync_runs r
                   WHERE r.tenant_id = i.tenant_id AND r.entity = e.entity
                     AND r.status IN ('{SyncRunStatus.QUEUED}', '{SyncRunStatus.RUNNING}')) AS busy
    FROM integrations i
    JOIN integration_settings st ON st.tenant_id = i.tenant_id
    CROSS JOIN (VALUES {_ENTITIES}) AS e(entity)
    LEFT JOIN sync_states s ON s.tenant_id = i.tenant_id AND s.entity = e.entity
    WHERE i.state = '{IntegrationState.ACTIVE}' AND st.switch_from_administration_id IS NULL
    ORDER BY i.tenant_id, e.entity
    """  # noqa: S608 - constant SQL, no input
)


# Switches saved but not carried out: their job is deferred again (folded into a waiting
# one by its queueing lock), so a switch whose job died is not stuck for good.
_SWITCHING = text(
    f"""
    SELECT i.tenant_id FROM integrations i
    JOIN integration_settings st ON st.tenant_id = i.tenant_id
    WHERE i.state = '{IntegrationState.ACTIVE}' AND st.switch_from_administration_id IS NOT NULL
    """  # noqa: S608 - constant SQL, no input
)


async def tick(rt: Runtime, now: datetime | None = None) -> dict[str, int]:
    """Queue what is due for every active tenant; counts of queued full runs and probes."""
    now = now or utcnow()
    queued = {"full": 0, "probe": 0}
    async with rt.sessions() as session:
        for tenant_id in (await session.scalars(_SWITCHING)).all():
            await defer_switch(session, tenant_id)
        for row in (await session.execute(_CLOCKS)).all():
            clock = EntityClock(
                busy=row.busy,
                last_full=row.last_full,
                listed_total=row.listed_total,
                probed_at=row.probed_at,
            )
            what = due(clock, now, rt.settings)
            if what == "full":
                await queue_runs(
                    session, row.tenant_id, [SyncEntity(row.entity)], trigger=SyncTrigger.SCHEDULED
                )
            elif what == "probe":
                await defer_probe(session, row.tenant_id, row.entity)
            if what is not None:
                queued[what] += 1
        await session.commit()
    if any(queued.values()):
        log.info("sync.tick.queued", full=queued["full"], probes=queued["probe"])
    return queued


async def probe(rt: Runtime, tenant_id: int, entity: SyncEntity) -> int | None:
    """Read the entity's X-Total; queue a full run when it differs from the last complete
    listing's. The total (None: not active, or Rompslomp did not answer)."""
    spec = ENTITIES[entity]
    async with rt.sessions() as session:
        company_id = await active_company(session, tenant_id)
        await session.commit()
    if company_id is None:
        return None
    try:
        async with connected(rt.rompslomp, rt.sessions, tenant_id) as client:
            if client.budget.wait_time() > 0:  # Retry-After pending: the next tick probes
                return None
            total = await client.probe_total(company_id, spec.resource, selection=spec.selection)
    except RompslompError as exc:
        # The next tick probes again; a revoked connection was already logged for the user.
        log.warning(
            "sync.probe.failed",
            tenant_id=tenant_id,
            entity=entity,
            error=type(exc).__name__,
            code=exc.code,
        )
        return None
    async with rt.sessions() as session:
        state = await sync_state(session, tenant_id, entity)
        state.probed_at = utcnow()
        state.probe_total = total
        if state.listed_total != total:
            await queue_runs(session, tenant_id, [entity], trigger=SyncTrigger.PROBE)
            log.info(
                "sync.probe.changed",
                tenant_id=tenant_id,
                entity=entity,
                listed=state.listed_total,
                total=total,
            )
        await session.commit()
    return total
