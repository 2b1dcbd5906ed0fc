from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.customers.schemas import CustomerCreate, CustomerUpdate
from services.simon_api.lookups import (
    get_owned,
    is_referenced,
    like_pattern,
    refuse_when_managed_by_rompslomp,
)
from services.simon_api.pagination import PageParams, keyset, page_of
from shared.enums import RecordSource
from shared.models import ContactPerson, Customer, CustomerObject, WorkAddress, WorkOrder
from shared.problems import Conflict


async def list_customers(
    session: AsyncSession,
    tenant_id: int,
    params: PageParams,
    *,
    q: str | None,
    include_inactive: bool,
) -> tuple[list[Customer], str | None]:
    statement = select(Customer).where(Customer.tenant_id == tenant_id)
    if not include_inactive:
        statement = statement.where(Customer.active.is_(True))
    if q:
        pattern = like_pattern(q)
        statement = statement.where(
            or_(
                Customer.name.ilike(pattern),
                Customer.number.ilike(pattern),
                Customer.city.ilike(pattern),
                Customer.email.ilike(pattern),
            )
        )
    rows = list((await session.scalars(keyset(statement, Customer.id, params))).all())
    return page_of(rows, params, lambda c: c.id)


async def get_customer(session: AsyncSession, tenant_id: int, customer_id: int) -> Customer:
    return await get_owned(session, Customer, tenant_id, customer_id, label="Customer")


async def create_customer(session: AsyncSession, tenant_id: int, data: CustomerCreate) -> Customer:
    await refuse_when_managed_by_rompslomp(session, tenant_id, label="Customers")
    customer = Customer(
        tenant_id=tenant_id, source=RecordSource.SIMON, active=True, **data.model_dump()
    )
    session.add(customer)
    await session.flush()
    return customer


async def update_customer(
    session: AsyncSession, tenant_id: int, customer_id: int, data: CustomerUpdate
) -> Customer:
    customer = await get_customer(session, tenant_id, customer_id)
    await refuse_when_managed_by_rompslomp(session, tenant_id, label="Customers")
    for field, value in data.model_dump(exclude_unset=True).items():
        if field == "name" and value is None:
            continue
        setattr(customer, field, value)
    await session.flush()
    return customer


async def delete_customer(session: AsyncSession, tenant_id: int, customer_id: int) -> None:
    customer = await get_customer(session, tenant_id, customer_id)
    await refuse_when_managed_by_rompslomp(session, tenant_id, label="Customers")
    if await is_referenced(session, WorkOrder.customer_id == customer.id):
        raise Conflict("Work orders refer to this customer; it cannot be deleted.", code="in_use")
    # Records only Simon holds never go with a customer silently (as the master-data sync
    # deactivates such a customer instead of deleting it): they are deleted first.
    held = [
        what
        for model, what in (
            (WorkAddress, "work addresses"),
            (ContactPerson, "contact persons"),
            (CustomerObject, "objects"),
        )
        if await is_referenced(session, model.customer_id == customer.id)
    ]
    if held:
        raise Conflict(
            f"The customer has {' and '.join(held)}; delete those first.", code="in_use"
        )
    await session.execute(delete(Customer).where(Customer.id == customer.id))
