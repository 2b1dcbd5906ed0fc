"""Work orders as the API shows them: with their time entries and materials, loaded for a
whole page in two queries (never one per work order)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.work_orders.schemas import MaterialOut, TimeEntryOut, WorkOrderOut
from shared.models import Material, TimeEntry, WorkOrder


async def render(session: AsyncSession, work_orders: Sequence[WorkOrder]) -> list[WorkOrderOut]:
    ids = [w.id for w in work_orders]
    entries: dict[int, list[TimeEntryOut]] = defaultdict(list)
    materials: dict[int, list[MaterialOut]] = defaultdict(list)
    if ids:
        for entry in await session.scalars(
            select(TimeEntry).where(TimeEntry.work_order_id.in_(ids)).order_by(TimeEntry.id)
        ):
            entries[entry.work_order_id].append(TimeEntryOut.model_validate(entry))
        for material in await session.scalars(
            select(Material).where(Material.work_order_id.in_(ids)).order_by(Material.id)
        ):
            materials[material.work_order_id].append(MaterialOut.model_validate(material))
    return [
        WorkOrderOut(
            id=w.id,
            number=w.number,
            status=w.status,  # type: ignore[arg-type]
            customer_id=w.customer_id,
            work_address_id=w.work_address_id,
            description=w.description,
            assignee_id=w.assignee_id,
            planned_date=w.planned_date,
            time_entries=entries[w.id],
            materials=materials[w.id],
            completed_at=w.completed_at,
            archived_at=w.archived_at,
            created_at=w.created_at,
        )
        for w in work_orders
    ]


async def render_one(session: AsyncSession, work_order: WorkOrder) -> WorkOrderOut:
    return (await render(session, [work_order]))[0]
