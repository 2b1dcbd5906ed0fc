"""Work orders: creation, planning, listing and the lifecycle of R-EXPORT-1.

created → planned (assignee + date) → completed → archived; `reopen` goes back one step.
Archived work orders are read-only; archiving writes `work_order.archived` to the outbox
in the same transaction. Every change writes the work order's API view again
(shared/work_order_view.py), in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.forms.completeness import ensure_forms_complete
from services.simon_api.lookups import get_owned, require_reference
from services.simon_api.work_orders.numbering import next_number
from services.simon_api.work_orders.schemas import WorkOrderCreate, WorkOrderUpdate
from shared.auth import Principal
from shared.clock import utcnow
from shared.enums import WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED
from shared.models import (
    ContactPerson,
    Customer,
    CustomerObject,
    Employee,
    WorkAddress,
    WorkOrder,
)
from shared.outbox import publish
from shared.problems import Conflict, Forbidden, InvalidInput
from shared.snapshot import archived_event
from shared.work_order_rules import ReopenRefusal, lock_work_order, reopen_refusal_for
from shared.work_order_view import refresh_views


async def get_work_order(
    session: AsyncSession, tenant_id: int, work_order_id: int, *, for_update: bool = False
) -> WorkOrder:
    if for_update:
        # First of the locks a change of status takes (shared/work_order_rules.py).
        row = await lock_work_order(session, tenant_id, work_order_id)
        if row is not None:
            return row
    return await get_owned(session, WorkOrder, tenant_id, work_order_id, label="Work order")


def ensure_editable(work_order: WorkOrder, principal: Principal) -> None:
    """Archived is read-only; after completion only the office corrects (R-EXPORT-1)."""
    if work_order.status == WorkOrderStatus.ARCHIVED:
        raise Conflict(
            f"Work order {work_order.number} is archived and read-only; reopen it first.",
            code="work_order_archived",
        )
    if work_order.status == WorkOrderStatus.COMPLETED and not principal.is_office:
        raise Forbidden(
            f"Work order {work_order.number} is completed; only the office can correct it.",
            code="office_only",
        )


# What a work order points at that belongs to one customer (R-MASTER-5): the field, the
# model, its label, and the code of the 422 when it belongs to another customer.
CustomerRecord = type[WorkAddress | ContactPerson | CustomerObject]
CUSTOMER_RECORDS: tuple[tuple[str, CustomerRecord, str], ...] = (
    ("work_address_id", WorkAddress, "work address"),
    ("contact_person_id", ContactPerson, "contact person"),
    ("object_id", CustomerObject, "object"),
)


async def _check_references(
    session: AsyncSession, tenant_id: int, values: dict[str, Any], work_order: WorkOrder | None
) -> None:
    """Referenced rows exist in this tenant, are pickable, and the work address, contact
    person and object belong to the work order's customer (a record alone sets it)."""
    if values.get("customer_id") is not None:
        customer = await require_reference(
            session,
            Customer,
            tenant_id,
            values["customer_id"],
            field="customer_id",
            label="customer",
        )
        if not customer.active:
            raise InvalidInput(
                "customer_id", f"Customer {customer.id} is inactive", code="inactive_reference"
            )
    if values.get("assignee_id") is not None:
        employee = await require_reference(
            session,
            Employee,
            tenant_id,
            values["assignee_id"],
            field="assignee_id",
            label="employee",
        )
        if not employee.active:
            raise InvalidInput(
                "assignee_id", f"Employee {employee.id} is inactive", code="inactive_reference"
            )
    for field, model, label in CUSTOMER_RECORDS:
        record_id = values.get(field, getattr(work_order, field) if work_order else None)
        if record_id is None:
            continue
        record = await require_reference(
            session, model, tenant_id, record_id, field=field, label=label
        )
        customer_id = values.get("customer_id", work_order.customer_id if work_order else None)
        if customer_id is None:
            values["customer_id"] = record.customer_id
        elif record.customer_id != customer_id:
            raise InvalidInput(
                field,
                f"The {label} {record.id} does not belong to customer {customer_id}",
                code=f"{field.removesuffix('_id')}_mismatch",
            )


def _plan_status(work_order: WorkOrder) -> None:
    if work_order.status in (WorkOrderStatus.CREATED, WorkOrderStatus.PLANNED):
        planned = work_order.assignee_id is not None and work_order.planned_date is not None
        work_order.status = WorkOrderStatus.PLANNED if planned else WorkOrderStatus.CREATED


async def create_work_order(
    session: AsyncSession, principal: Principal, data: WorkOrderCreate
) -> WorkOrder:
    values = data.model_dump()
    await _check_references(session, principal.tenant_id, values, None)
    work_order = WorkOrder(
        tenant_id=principal.tenant_id,
        number=await next_number(session, principal.tenant_id),
        status=WorkOrderStatus.CREATED,
        archive_count=0,
        **values,
    )
    _plan_status(work_order)
    session.add(work_order)
    await session.flush()
    await session.refresh(work_order, ["created_at"])
    await refresh_views(session, [work_order.id])
    return work_order


async def update_work_order(
    session: AsyncSession, principal: Principal, work_order_id: int, data: WorkOrderUpdate
) -> WorkOrder:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    ensure_editable(work_order, principal)
    values = data.model_dump(exclude_unset=True)
    if values.get("description", "") is None:
        values["description"] = ""
    await _check_references(session, principal.tenant_id, values, work_order)
    for field, value in values.items():
        setattr(work_order, field, value)
    _plan_status(work_order)
    await session.flush()
    await refresh_views(session, [work_order.id])
    return work_order


async def complete(session: AsyncSession, principal: Principal, work_order_id: int) -> WorkOrder:
    """Completing a completed work order answers it unchanged: a client that retries after
    a lost answer must not see an error for what it already did."""
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    if work_order.status == WorkOrderStatus.COMPLETED:
        return work_order
    if work_order.status != WorkOrderStatus.PLANNED:
        raise Conflict(
            f"Work order {work_order.number} is {work_order.status}; only a planned work "
            "order (with an employee and a date) can be completed.",
            code="not_planned",
        )
    await ensure_forms_complete(session, work_order)
    work_order.status = WorkOrderStatus.COMPLETED
    work_order.completed_at = utcnow()
    await session.flush()
    await refresh_views(session, [work_order.id])
    return work_order


async def archive(session: AsyncSession, principal: Principal, work_order_id: int) -> WorkOrder:
    """Archiving an archived work order answers it unchanged, at the same archive sequence
    (no second event, no second invoice): the archive a retrying client repeats after a
    lost answer was committed. Only a reopen starts a new sequence."""
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    if work_order.status == WorkOrderStatus.ARCHIVED:
        return work_order
    if work_order.status != WorkOrderStatus.COMPLETED:
        raise Conflict(
            f"Work order {work_order.number} is {work_order.status}; complete it before archiving.",
            code="not_completed",
        )
    work_order.status = WorkOrderStatus.ARCHIVED
    work_order.archived_at = utcnow()
    work_order.archive_count += 1
    await session.flush()
    await refresh_views(session, [work_order.id])
    event = await archived_event(session, work_order)
    await publish(
        session,
        tenant_id=work_order.tenant_id,
        event_type=WORK_ORDER_ARCHIVED,
        aggregate_id=work_order.id,
        payload=event,
        version=event.version,
    )
    return work_order


async def reopen(session: AsyncSession, principal: Principal, work_order_id: int) -> WorkOrder:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    if work_order.status == WorkOrderStatus.COMPLETED:
        work_order.status = WorkOrderStatus.PLANNED
        work_order.completed_at = None
        _plan_status(work_order)
    elif work_order.status == WorkOrderStatus.ARCHIVED:
        await _ensure_no_invoice(session, work_order)
        work_order.status = WorkOrderStatus.COMPLETED
        work_order.archived_at = None
    else:
        raise Conflict(
            f"Work order {work_order.number} is {work_order.status}; only completed or "
            "archived work orders can be reopened.",
            code="not_completed",
        )
    await session.flush()
    await refresh_views(session, [work_order.id])
    return work_order


async def _ensure_no_invoice(session: AsyncSession, work_order: WorkOrder) -> None:
    """R-EXPORT-2: an archived work order reopens only while no concept invoice exists for it
    or is on its way (the rule, and why the lock we hold makes it safe against a running
    export: shared/work_order_rules.py)."""
    refusal = await reopen_refusal_for(session, work_order)
    if refusal is ReopenRefusal.INVOICE_EXISTS:
        raise Conflict(
            f"A concept invoice exists in Rompslomp for work order {work_order.number}; "
            "change it there.",
            code="invoice_exists",
        )
    if refusal is ReopenRefusal.EXPORT_PENDING:
        raise Conflict(
            f"Work order {work_order.number} is being sent to Rompslomp; wait for the export "
            "to finish.",
            code="export_pending",
        )
