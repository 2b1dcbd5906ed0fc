"""Emptying Simon's tables before an activation (R-SETUP-2): the wizard's wipe (sync_worker)
of tables simon_api owns, kept here beside them.

Seven tables, for one tenant only, in the caller's single transaction. Children go first
(foreign keys): a work order takes its time entries, materials and invoice exports along
(ON DELETE CASCADE) and its outbox events explicitly; a customer takes its work addresses,
contact persons and objects along, so wiping customers wipes those too. Work orders that
are kept while their contact persons or objects go get their API view written again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Base
from shared.models.master_data import (
    Article,
    ArticleGroup,
    ContactPerson,
    Customer,
    CustomerObject,
    WorkAddress,
)
from shared.models.outbox import OutboxEvent
from shared.models.work_orders import Material, WorkOrder
from shared.problems import DomainError, FieldProblem
from shared.work_order_view import refresh_detached_views


@dataclass(frozen=True)
class WipeTable:
    name: str
    label: str  # as the wizard shows it
    model: type[Base]


# In the order of the original's screen.
TABLES: Sequence[WipeTable] = (
    WipeTable("article_group", "Artikel Groep", ArticleGroup),
    WipeTable("article", "Artikel", Article),
    WipeTable("work_order", "Werkbon", WorkOrder),
    WipeTable("work_address", "Werkadres", WorkAddress),
    WipeTable("customer", "Klant", Customer),
    WipeTable("object", "Objecten", CustomerObject),
    WipeTable("contact_person", "Contact Personen", ContactPerson),
)
BY_NAME = {table.name: table for table in TABLES}
# Deleted before their parents; customers cascade to these three.
DELETE_ORDER = (
    "work_order",
    "contact_person",
    "object",
    "work_address",
    "customer",
    "article",
    "article_group",
)
CUSTOMER_CHILDREN = ("work_address", "object", "contact_person")


@dataclass(frozen=True)
class TableState:
    table: WipeTable
    count: int
    last_mutation_at: datetime | None


async def preview(session: AsyncSession, tenant_id: int) -> list[TableState]:
    states = []
    for table in TABLES:
        model = table.model
        row = (
            await session.execute(
                select(func.count(), func.max(model.updated_at)).where(  # type: ignore[attr-defined]
                    model.tenant_id == tenant_id  # type: ignore[attr-defined]
                )
            )
        ).one()
        states.append(TableState(table, int(row[0]), row[1]))
    return states


class WipeRefused(DomainError):
    status = 422
    title = "Unprocessable Content"


def plan(chosen: Sequence[str], *, first_activation: bool) -> list[str]:
    """The tables to empty, in delete order; refuses an incomplete first wipe."""
    unknown = [name for name in chosen if name not in BY_NAME]
    if unknown:
        raise WipeRefused(
            f"Unknown table(s): {', '.join(unknown)}.",
            code="unknown_table",
            errors=[
                FieldProblem(field="tables", message=f"onbekende tabel: {name}") for name in unknown
            ],
        )
    names = set(chosen)
    if first_activation and names != set(BY_NAME):
        missing = [t.label for t in TABLES if t.name not in names]
        raise WipeRefused(
            "Before the first activation every table must be emptied; missing: "
            + ", ".join(missing),
            code="all_tables_required",
            errors=[
                FieldProblem(
                    field="tables",
                    message=(
                        "Voor de eerste activatie moeten alle tabellen gewist worden; "
                        f"ontbreekt: {', '.join(missing)}."
                    ),
                )
            ],
        )
    if not names:
        raise WipeRefused(
            "Choose at least one table.",
            code="no_tables",
            errors=[FieldProblem(field="tables", message="Kies minstens één tabel.")],
        )
    if "customer" in names:
        names.update(CUSTOMER_CHILDREN)
    return [name for name in DELETE_ORDER if name in names]


async def _blocked_by_work_orders(
    session: AsyncSession, tenant_id: int, names: Sequence[str]
) -> list[str]:
    """Tables the tenant's remaining work orders still point at (kept: work orders are
    not wiped this time)."""
    checks = {
        "customer": exists().where(
            WorkOrder.tenant_id == tenant_id, WorkOrder.customer_id.is_not(None)
        ),
        "work_address": exists().where(
            WorkOrder.tenant_id == tenant_id, WorkOrder.work_address_id.is_not(None)
        ),
        "article": exists().where(Material.tenant_id == tenant_id),
    }
    blocked = []
    for name, condition in checks.items():
        if name in names and await session.scalar(select(condition)):
            blocked.append(name)
    return blocked


async def wipe(session: AsyncSession, tenant_id: int, names: Sequence[str]) -> dict[str, int]:
    """Delete the tenant's rows of `names` (from `plan`); returns rows deleted per table."""
    if "work_order" not in names:
        blocked = await _blocked_by_work_orders(session, tenant_id, names)
        if blocked:
            labels = ", ".join(BY_NAME[name].label for name in blocked)
            raise WipeRefused(
                f"Work orders still refer to: {labels}; empty work orders as well.",
                code="wipe_blocked_by_work_orders",
                errors=[
                    FieldProblem(
                        field="tables",
                        message=(
                            f"Er zijn werkbonnen die verwijzen naar {labels}: vink ook Werkbon aan."
                        ),
                    )
                ],
            )
    deleted: dict[str, int] = {}
    for name in names:
        model = BY_NAME[name].model
        if name == "work_order":
            work_orders = select(WorkOrder.id).where(WorkOrder.tenant_id == tenant_id)
            await session.execute(
                delete(OutboxEvent).where(
                    OutboxEvent.tenant_id == tenant_id,
                    OutboxEvent.event_type.like("work_order.%"),
                    OutboxEvent.aggregate_id.in_(work_orders),
                )
            )
        result = await session.execute(
            delete(model).where(model.tenant_id == tenant_id)  # type: ignore[attr-defined]
        )
        deleted[name] = int(result.rowcount)  # type: ignore[attr-defined]
    if "work_order" not in names and {"contact_person", "object"} & set(names):
        # The kept work orders lost those references (ON DELETE SET NULL): their API views
        # are written again, in this transaction.
        await refresh_detached_views(session, tenant_id)
    return deleted
