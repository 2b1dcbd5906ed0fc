"""One set of tenant-scoped operations for the three kinds of customer-owned records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.lookups import get_owned, is_referenced, require_reference
from services.simon_api.pagination import PageParams, keyset, page_of
from shared.models import ContactPerson, Customer, CustomerObject, WorkAddress, WorkOrder
from shared.problems import Conflict


@dataclass(frozen=True)
class RecordKind:
    model: Any
    label: str
    used_by: Any  # the work order column that refers to it
    not_null: tuple[str, ...] = ()


WORK_ADDRESS = RecordKind(WorkAddress, "Work address", WorkOrder.work_address_id)
CONTACT_PERSON = RecordKind(
    ContactPerson, "Contact person", WorkOrder.contact_person_id, not_null=("name",)
)
OBJECT = RecordKind(CustomerObject, "Object", WorkOrder.object_id, not_null=("name",))


async def list_records(
    session: AsyncSession,
    kind: RecordKind,
    tenant_id: int,
    params: PageParams,
    *,
    customer_id: int | None,
) -> tuple[list[Any], str | None]:
    statement = select(kind.model).where(kind.model.tenant_id == tenant_id)
    if customer_id is not None:
        statement = statement.where(kind.model.customer_id == customer_id)
    rows = list((await session.scalars(keyset(statement, kind.model.id, params))).all())
    return page_of(rows, params, lambda r: r.id)


async def get_record(session: AsyncSession, kind: RecordKind, tenant_id: int, row_id: int) -> Any:
    return await get_owned(session, kind.model, tenant_id, row_id, label=kind.label)


async def create_record(
    session: AsyncSession, kind: RecordKind, tenant_id: int, data: BaseModel
) -> Any:
    values = data.model_dump()
    await require_reference(
        session,
        Customer,
        tenant_id,
        values["customer_id"],
        field="customer_id",
        label="customer",
    )
    record = kind.model(tenant_id=tenant_id, **values)
    session.add(record)
    await session.flush()
    return record


async def update_record(
    session: AsyncSession, kind: RecordKind, tenant_id: int, row_id: int, data: BaseModel
) -> Any:
    record = await get_record(session, kind, tenant_id, row_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        if field in kind.not_null and value is None:
            continue
        setattr(record, field, value)
    await session.flush()
    return record


async def delete_record(
    session: AsyncSession, kind: RecordKind, tenant_id: int, row_id: int
) -> None:
    record = await get_record(session, kind, tenant_id, row_id)
    if await is_referenced(session, kind.used_by == record.id):
        raise Conflict(
            f"Work orders use this {kind.label.lower()}; it cannot be deleted.", code="in_use"
        )
    await session.execute(delete(kind.model).where(kind.model.id == record.id))
