"""A work order as the `work_order.archived` v1 snapshot (shared/events.py).

simon_api builds it when archiving (the event's payload); the sync worker builds the same
shape from the current tables for the invoice preview of a work order not yet archived.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from shared.clock import utcnow
from shared.events import (
    ArticleSnapshot,
    ContactPersonSnapshot,
    CustomerSnapshot,
    EmployeeSnapshot,
    FormQuestionSnapshot,
    FormSnapshot,
    MaterialSnapshot,
    ObjectSnapshot,
    SignatureSnapshot,
    TimeEntrySnapshot,
    WorkAddressSnapshot,
    WorkOrderArchivedV1,
)
from shared.models import (
    Article,
    ContactPerson,
    Customer,
    CustomerObject,
    Employee,
    FormTemplateVersion,
    Material,
    TimeEntry,
    WorkAddress,
    WorkOrder,
    WorkOrderForm,
    WorkOrderSignature,
)

_ENTRY_TUPLE = (
    TimeEntry.id,
    TimeEntry.kind,
    TimeEntry.minutes,
    TimeEntry.employee_id,
    Employee.name,
    TimeEntry.date,
)
_ARTICLE_FIELDS = list(ArticleSnapshot.model_fields)
_MATERIAL_TUPLE = (
    Material.id,
    Material.quantity,
    Material.unit_price,
    *(getattr(Article, name) for name in _ARTICLE_FIELDS),
)
# Everything the snapshot reads but the forms, in one statement: what the work order points
# at, its signature, and its time entries and materials as arrays of records in their order
# (each its own read was seven round trips more in the archive's transaction).
_ENTRIES = (
    select(
        func.array_agg(aggregate_order_by(tuple_(*_ENTRY_TUPLE), TimeEntry.id), type_=NullType())
    )
    .select_from(TimeEntry)
    .outerjoin(Employee, Employee.id == TimeEntry.employee_id)
    .where(TimeEntry.work_order_id == WorkOrder.id, TimeEntry.tenant_id == WorkOrder.tenant_id)
    .correlate(WorkOrder)  # only the work order: its own Employee is the entry's, not the assignee
    .scalar_subquery()
    .label("entries")
)
_MATERIALS = (
    select(
        func.array_agg(aggregate_order_by(tuple_(*_MATERIAL_TUPLE), Material.id), type_=NullType())
    )
    .select_from(Material)
    .join(Article, Article.id == Material.article_id)
    .where(Material.work_order_id == WorkOrder.id, Material.tenant_id == WorkOrder.tenant_id)
    .correlate(WorkOrder)
    .scalar_subquery()
    .label("materials")
)
_REFERENCES = (
    select(
        Customer,
        WorkAddress,
        Employee,
        ContactPerson,
        CustomerObject,
        WorkOrderSignature.name,
        WorkOrderSignature.signed_at,
        _ENTRIES,
        _MATERIALS,
    )
    .select_from(WorkOrder)
    .outerjoin(Customer, Customer.id == WorkOrder.customer_id)
    .outerjoin(WorkAddress, WorkAddress.id == WorkOrder.work_address_id)
    .outerjoin(Employee, Employee.id == WorkOrder.assignee_id)
    .outerjoin(ContactPerson, ContactPerson.id == WorkOrder.contact_person_id)
    .outerjoin(CustomerObject, CustomerObject.id == WorkOrder.object_id)
    .outerjoin(WorkOrderSignature, WorkOrderSignature.work_order_id == WorkOrder.id)
    .where(WorkOrder.id == bindparam("id"))
)


def _time_entry(row: Any) -> TimeEntrySnapshot:
    entry_id, kind, minutes, employee_id, name, date = row
    return TimeEntrySnapshot(
        id=entry_id,
        kind=kind,
        minutes=minutes,
        employee=EmployeeSnapshot(id=employee_id, name=name)
        if employee_id is not None and name is not None
        else None,
        date=date,
    )


def _material(row: Any) -> MaterialSnapshot:
    material_id, quantity, unit_price, *article = row
    return MaterialSnapshot(
        id=material_id,
        article=ArticleSnapshot.model_validate(dict(zip(_ARTICLE_FIELDS, article, strict=True))),
        quantity=quantity,
        unit_price=unit_price,
    )


async def archived_event(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The payload of the archive that just happened."""
    assert work_order.archived_at is not None
    return await work_order_snapshot(session, work_order)


async def work_order_snapshot(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The work order as it stands; `archived_at` is now when it is not archived yet."""
    tenant_id = work_order.tenant_id
    refs = (await session.execute(_REFERENCES, {"id": work_order.id})).one()
    customer, address, assignee = refs.Customer, refs.WorkAddress, refs.Employee
    contact_person, customer_object = refs.ContactPerson, refs.CustomerObject
    signature = refs if refs.signed_at is not None else None
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
        time_entries=[_time_entry(row) for row in refs.entries or ()],
        materials=[_material(row) for row in refs.materials or ()],
        contact_person=ContactPersonSnapshot.model_validate(contact_person, from_attributes=True)
        if contact_person
        else None,
        object=ObjectSnapshot.model_validate(customer_object, from_attributes=True)
        if customer_object
        else None,
        forms=await form_snapshots(session, tenant_id, work_order.id),
        signature=SignatureSnapshot(name=signature.name, signed_at=signature.signed_at)
        if signature
        else None,
    )


async def form_snapshots(
    session: AsyncSession, tenant_id: int, work_order_id: int
) -> list[FormSnapshot]:
    """The work order's forms in the order they were added, each question with its answer."""
    rows = (
        await session.execute(
            select(WorkOrderForm, FormTemplateVersion)
            .join(FormTemplateVersion, FormTemplateVersion.id == WorkOrderForm.template_version_id)
            .where(
                WorkOrderForm.work_order_id == work_order_id, WorkOrderForm.tenant_id == tenant_id
            )
            .order_by(WorkOrderForm.id)
        )
    ).all()
    return [
        FormSnapshot(
            id=form.id,
            template_id=version.template_id,
            template_version=version.version,
            name=version.name,
            questions=[
                FormQuestionSnapshot(
                    key=question["key"],
                    label=question["label"],
                    type=question["type"],
                    required=question.get("required", False),
                    on_invoice=question.get("on_invoice", False),
                    answer=form.answers.get(question["key"]),
                )
                for question in version.questions
            ],
        )
        for form, version in rows
    ]
