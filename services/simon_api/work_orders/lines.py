"""Time entries and materials of a work order ("lines"): only while it is editable. Each
change writes the work order's API view again (shared/work_order_view.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.lookups import require_reference
from services.simon_api.work_orders.schemas import (
    MaterialCreate,
    MaterialUpdate,
    TimeEntryCreate,
    TimeEntryUpdate,
)
from services.simon_api.work_orders.service import ensure_editable, get_work_order
from shared.auth import Principal
from shared.clock import today_in_amsterdam
from shared.models import Article, Employee, Material, TimeEntry, WorkOrder
from shared.problems import InvalidInput, NotFound
from shared.work_order_view import refresh_views


async def _editable(session: AsyncSession, principal: Principal, work_order_id: int) -> WorkOrder:
    work_order = await get_work_order(session, principal.tenant_id, work_order_id, for_update=True)
    ensure_editable(work_order, principal)
    return work_order


async def _check_employee(session: AsyncSession, tenant_id: int, employee_id: int) -> None:
    await require_reference(
        session, Employee, tenant_id, employee_id, field="employee_id", label="employee"
    )


async def _line(session: AsyncSession, model: type, work_order: WorkOrder, line_id: int) -> Any:
    line = (
        await session.execute(
            select(model).where(
                model.id == line_id,  # type: ignore[attr-defined]
                model.work_order_id == work_order.id,  # type: ignore[attr-defined]
            )
        )
    ).scalar_one_or_none()
    if line is None:
        raise NotFound(f"Line {line_id} is not on work order {work_order.number}.")
    return line


async def add_time_entry(
    session: AsyncSession, principal: Principal, work_order_id: int, data: TimeEntryCreate
) -> TimeEntry:
    work_order = await _editable(session, principal, work_order_id)
    employee_id = data.employee_id or principal.employee_id
    await _check_employee(session, principal.tenant_id, employee_id)
    entry = TimeEntry(
        tenant_id=principal.tenant_id,
        work_order_id=work_order.id,
        kind=data.kind,
        minutes=data.minutes,
        employee_id=employee_id,
        date=data.date or today_in_amsterdam(),
    )
    session.add(entry)
    await session.flush()
    await refresh_views(session, [work_order.id])
    return entry


async def update_time_entry(
    session: AsyncSession,
    principal: Principal,
    work_order_id: int,
    entry_id: int,
    data: TimeEntryUpdate,
) -> TimeEntry:
    work_order = await _editable(session, principal, work_order_id)
    entry: TimeEntry = await _line(session, TimeEntry, work_order, entry_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("kind", "minutes"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "May not be null")
    if changes.get("employee_id") is not None:
        await _check_employee(session, principal.tenant_id, changes["employee_id"])
    for field, value in changes.items():
        setattr(entry, field, value)
    await session.flush()
    await refresh_views(session, [work_order.id])
    return entry


async def delete_time_entry(
    session: AsyncSession, principal: Principal, work_order_id: int, entry_id: int
) -> None:
    work_order = await _editable(session, principal, work_order_id)
    entry = await _line(session, TimeEntry, work_order, entry_id)
    await session.execute(delete(TimeEntry).where(TimeEntry.id == entry.id))
    await refresh_views(session, [work_order.id])


async def _pickable_article(session: AsyncSession, tenant_id: int, article_id: int) -> Article:
    article = await require_reference(
        session, Article, tenant_id, article_id, field="article_id", label="article"
    )
    if not article.active:
        raise InvalidInput(
            "article_id", f"Article {article.id} is inactive", code="inactive_reference"
        )
    return article


async def add_material(
    session: AsyncSession, principal: Principal, work_order_id: int, data: MaterialCreate
) -> Material:
    work_order = await _editable(session, principal, work_order_id)
    article = await _pickable_article(session, principal.tenant_id, data.article_id)
    material = Material(
        tenant_id=principal.tenant_id,
        work_order_id=work_order.id,
        article_id=article.id,
        quantity=data.quantity,
        unit_price=data.unit_price if data.unit_price is not None else article.price,
    )
    session.add(material)
    await session.flush()
    await refresh_views(session, [work_order.id])
    return material


async def update_material(
    session: AsyncSession,
    principal: Principal,
    work_order_id: int,
    material_id: int,
    data: MaterialUpdate,
) -> Material:
    work_order = await _editable(session, principal, work_order_id)
    material: Material = await _line(session, Material, work_order, material_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("article_id", "quantity"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "May not be null")
    if "article_id" in changes and changes["article_id"] != material.article_id:
        article = await _pickable_article(session, principal.tenant_id, changes["article_id"])
        material.article_id = article.id
        if changes.get("unit_price") is None:
            material.unit_price = article.price
    if changes.get("quantity") is not None:
        material.quantity = changes["quantity"]
    if "unit_price" in changes:
        if changes["unit_price"] is None:
            article = await _pickable_article(session, principal.tenant_id, material.article_id)
            material.unit_price = article.price
        else:
            material.unit_price = changes["unit_price"]
    await session.flush()
    await refresh_views(session, [work_order.id])
    return material


async def delete_material(
    session: AsyncSession, principal: Principal, work_order_id: int, material_id: int
) -> None:
    work_order = await _editable(session, principal, work_order_id)
    material = await _line(session, Material, work_order, material_id)
    await session.execute(delete(Material).where(Material.id == material.id))
    await refresh_views(session, [work_order.id])
