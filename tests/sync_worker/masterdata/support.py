"""Helpers for the master-data tests (plain code, no fixtures): `Tenant`, an activated tenant
with a stand-in for the job worker that runs its waiting sync jobs as procrastinate would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.jobs.runtime import Runtime
from services.sync_worker.masterdata.runs import PROBE_TASK, SYNC_TASK
from services.sync_worker.masterdata.schedule import probe
from services.sync_worker.masterdata.sync import run_sync
from services.sync_worker.rompslomp.connection import connected
from shared.models import IntegrationLogEntry, SyncRun
from tests.sync_worker.support import Wizard


@dataclass
class Tenant:
    """An activated tenant, its Rompslomp administration and the worker that runs its jobs."""

    wizard: Wizard
    session: AsyncSession
    runtime: Runtime
    company_id: int

    @property
    def id(self) -> int:
        return self.wizard.who.tenant_id

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        return await self.wizard.call(method, path, body, status)

    async def rompslomp(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """The sandbox's control plane, as a user editing in Rompslomp."""
        response = await self.wizard.sandbox.request(
            method, f"/_sandbox/companies/{self.company_id}{path}", json=body
        )
        assert response.is_success, response.text
        return response

    async def faults(self, **config: Any) -> None:
        response = await self.wizard.sandbox.put("/_sandbox/faults", json=config)
        assert response.status_code == 200, response.text

    async def waiting_jobs(self, *, due_only: bool = True) -> list[Any]:
        rows = await self.session.execute(
            text(
                "SELECT id, task_name, args, scheduled_at FROM procrastinate_jobs "
                "WHERE status = 'todo' AND task_name IN (:sync, :probe) "
                "AND (args->>'tenant_id')::bigint = :tenant "
                "AND (NOT :due_only OR scheduled_at IS NULL OR scheduled_at <= now()) "
                "ORDER BY id"
            ),
            {"sync": SYNC_TASK, "probe": PROBE_TASK, "tenant": self.id, "due_only": due_only},
        )
        return list(rows)

    async def work(self, *, due_only: bool = True) -> list[SyncRun]:
        """Run the tenant's waiting jobs until none is left (as the job worker does); the
        runs they ended."""
        ended = []
        while jobs := await self.waiting_jobs(due_only=due_only):
            for job in jobs:
                await self.session.execute(
                    text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"),
                    {"id": job.id},
                )
                if job.task_name == SYNC_TASK:
                    run = await run_sync(self.runtime, self.id, job.args["entity"])
                    if run is not None:
                        ended.append(run)
                else:
                    await probe(self.runtime, self.id, job.args["entity"])
                await self.session.execute(
                    text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"),
                    {"id": job.id},
                )
        return ended

    async def sync_now(self, *entities: str) -> list[SyncRun]:
        await self.call("POST", "/sync", dict.fromkeys(entities, True), status=202)
        return await self.work()

    async def log_lines(self, table: str | None = None) -> list[IntegrationLogEntry]:
        query = select(IntegrationLogEntry).where(IntegrationLogEntry.tenant_id == self.id)
        if table is not None:
            query = query.where(IntegrationLogEntry.table_name == table)
        return list(await self.session.scalars(query.order_by(IntegrationLogEntry.id)))

    async def customers_in_rompslomp(self, company_id: int | None = None) -> list[Any]:
        """Rompslomp's contacts that are customers (the demo data has suppliers too)."""
        rt = self.runtime
        company = company_id or self.company_id
        async with connected(rt.rompslomp, rt.sessions, self.id) as client:
            return await client.iter_contacts(company, selection="customers").collect()

    async def count(self, model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.tenant_id == self.id, *where)
        return int(await self.session.scalar(query) or 0)
