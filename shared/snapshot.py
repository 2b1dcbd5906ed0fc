"""A work order as the `work_order.archived` v1 snapshot (shared/events.py).

simon_api builds it when archiving (the event's payload); the sync worker builds the same
shape from the current tables for the invoice preview of a work order not yet archived.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utcnow
from shared.events import (
    ArticleSnapshot,
    CustomerSnapshot,
    EmployeeSnapshot,
    MaterialSnapshot,
    TimeEntrySnapshot,
    WorkAddressSnapshot,
    WorkOrderArchivedV1,
)
from shared.models import Article, Customer, Employee, Material, TimeEntry, WorkAddress, WorkOrder


async def archived_event(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The payload of the archive that just happened."""
    assert work_order.archived_at is not None
    return await work_order_snapshot(session, work_order)


async def work_order_snapshot(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The work order as it stands; `archived_at` is now when it is not archived yet."""
    tenant_id = work_order.tenant_id
    customer = (
        await session.get(Customer, work_order.customer_id) if work_order.customer_id else None
    )
    address = (
        await session.get(WorkAddress, work_order.work_address_id)
        if work_order.work_address_id
        else None
    )
    entries = (
        await session.execute(
            select(TimeEntry, Employee.name)
            .outerjoin(Employee, Employee.id == TimeEntry.employee_id)
            .where(TimeEntry.work_order_id == work_order.id, TimeEntry.tenant_id == tenant_id)
            .order_by(TimeEntry.id)
        )
    ).all()
    materials = (
        await session.execute(
            select(Material, Article)
            .join(Article, Article.id == Material.article_id)
            .where(Material.work_order_id == work_order.id, Material.tenant_id == tenant_id)
            .order_by(Material.id)
        )
    ).all()
    assignee = (
        await session.get(Employee, work_order.assignee_id) if work_order.assignee_id else None
    )
    return WorkOrderArchivedV1(
        tenant_id=tenant_id,
        work_order_id=work_order.id,
        number=work_order.number,
        archive_seq=work_order.archive_count,
        description=work_order.description,
        customer=CustomerSnapshot.model_validate(customer, from_attributes=True)
        if customer
        else None,
        work_address=WorkAddressSnapshot.model_validate(address, from_attributes=True)
        if address
        else None,
        assignee=EmployeeSnapshot(id=assignee.id, name=assignee.name) if assignee else None,
        planned_date=work_order.planned_date,
        completed_at=work_order.completed_at,
        archived_at=work_order.archived_at or utcnow(),
        time_entries=[
            TimeEntrySnapshot(
                id=entry.id,
                kind=entry.kind,
                minutes=entry.minutes,
                employee=EmployeeSnapshot(id=entry.employee_id, name=name)
                if entry.employee_id is not None and name is not None
                else None,
                date=entry.date,
            )
            for entry, name in entries
        ],
        materials=[
            MaterialSnapshot(
                id=material.id,
                article=ArticleSnapshot.model_validate(article, from_attributes=True),
                quantity=material.quantity,
                unit_price=material.unit_price,
            )
            for material, article in materials
        ],
    )
