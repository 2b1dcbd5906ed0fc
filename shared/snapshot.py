"""A work order as the `work_order.archived` v1 snapshot (shared/events.py).

simon_api builds it when archiving (the event's payload); the sync worker builds the same
shape from the current tables for the invoice preview of a work order not yet archived.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

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

_REFERENCES = (
    select(
        Customer,
        WorkAddress,
        Employee,
        ContactPerson,
        CustomerObject,
        WorkOrderSignature.name,
        WorkOrderSignature.signed_at,
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
_TIME_ENTRIES = (
    select(TimeEntry, Employee.name)
    .outerjoin(Employee, Employee.id == TimeEntry.employee_id)
    .where(
        TimeEntry.work_order_id == bindparam("id"), TimeEntry.tenant_id == bindparam("tenant_id")
    )
    .order_by(TimeEntry.id)
)
_MATERIALS = (
    select(Material, Article)
    .join(Article, Article.id == Material.article_id)
    .where(Material.work_order_id == bindparam("id"), Material.tenant_id == bindparam("tenant_id"))
    .order_by(Material.id)
)


async def archived_event(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The payload of the archive that just happened."""
    assert work_order.archived_at is not None
    return await work_order_snapshot(session, work_order)


async def work_order_snapshot(session: AsyncSession, work_order: WorkOrder) -> WorkOrderArchivedV1:
    """The work order as it stands; `archived_at` is now when it is not archived yet."""
    tenant_id = work_order.tenant_id
    # What the work order points at, and its signature, in one statement (each its own
    # read was five round trips more in the archive's transaction).
    refs = (await session.execute(_REFERENCES, {"id": work_order.id})).one()
    customer, address, assignee = refs.Customer, refs.WorkAddress, refs.Employee
    contact_person, customer_object = refs.ContactPerson, refs.CustomerObject
    signature = refs if refs.signed_at is not None else None
    entries = (
        await session.execute(_TIME_ENTRIES, {"id": work_order.id, "tenant_id": tenant_id})
    ).all()
    materials = (
        await session.execute(_MATERIALS, {"id": work_order.id, "tenant_id": tenant_id})
    ).all()
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
