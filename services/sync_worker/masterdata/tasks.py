"""Jobs of this package, registered on the job engine's app (see jobs/app.py).

- `masterdata.sync` (tenant_id, entity): one run; lock and queueing lock per tenant ×
  entity (runs.py). Rompslomp being busy or away is handled inside (the run is queued
  again for later), so the job engine does not retry it; a crash fails the run.
- `masterdata.probe` (tenant_id, entity): the cheap X-Total probe.
- `masterdata.tick`: every minute, decides per active tenant what is due.
- `masterdata.switch` (tenant_id): an administration switch (switch.py); it defers itself
  again while exports to the old administration are in flight.
"""

from __future__ import annotations

from services.sync_worker.jobs.app import app
from services.sync_worker.jobs.runtime import current
from services.sync_worker.masterdata import schedule, switch
from services.sync_worker.masterdata.runs import PROBE_TASK, SYNC_TASK
from services.sync_worker.masterdata.switch import SWITCH_TASK
from services.sync_worker.masterdata.sync import run_sync
from shared.enums import SyncEntity


@app.task(name=SYNC_TASK, pass_context=False, retry=False)
async def sync(tenant_id: int, entity: str) -> str | None:
    run = await run_sync(current(), tenant_id, SyncEntity(entity))
    return run.status if run is not None else None


@app.task(name=PROBE_TASK, pass_context=False, retry=False)
async def probe(tenant_id: int, entity: str) -> int | None:
    return await schedule.probe(current(), tenant_id, SyncEntity(entity))


@app.periodic(cron="* * * * *", periodic_id="masterdata_tick")
@app.task(name="masterdata.tick", queueing_lock="masterdata.tick", pass_context=False)
async def tick(timestamp: int) -> dict[str, int]:
    return await schedule.tick(current())


@app.task(name=SWITCH_TASK, pass_context=False, retry=False)
async def switch_administration(tenant_id: int) -> str:
    return await switch.carry_out(current(), tenant_id)
