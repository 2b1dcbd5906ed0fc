"""The wipe (R-SETUP-2): seven tables with count and last mutation; all of them before the
first activation, any subset on a re-activation; one transaction, one tenant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import TimeEntryKind, WorkOrderStatus
from shared.export_status import ExportStatus
from shared.models import (
    Article,
    ArticleGroup,
    ContactPerson,
    Customer,
    CustomerObject,
    InvoiceExport,
    Material,
    OutboxEvent,
    TimeEntry,
    WorkAddress,
    WorkOrder,
)
from tests.sync_worker.support import Wizard

ALL = ["article_group", "article", "work_order", "work_address", "customer", "object",
       "contact_person"]  # fmt: skip


async def fill(session: AsyncSession, tenant_id: int) -> dict[str, Any]:
    group = ArticleGroup(tenant_id=tenant_id, name="Koper")
    customer = Customer(tenant_id=tenant_id, name="Bakkerij Jansen")
    session.add_all([group, customer])
    await session.flush()
    article = Article(
        tenant_id=tenant_id,
        code="KB15",
        description="Koperen bocht",
        price=Decimal("2.35"),
        article_group_id=group.id,
    )
    address = WorkAddress(tenant_id=tenant_id, customer_id=customer.id, street="Kerkstraat 5")
    session.add_all(
        [
            article,
            address,
            ContactPerson(tenant_id=tenant_id, customer_id=customer.id, name="Els"),
            CustomerObject(tenant_id=tenant_id, customer_id=customer.id, name="Cv-ketel"),
        ]
    )
    await session.flush()
    work_order = WorkOrder(
        tenant_id=tenant_id,
        number=f"2026-{tenant_id:05d}",
        status=WorkOrderStatus.ARCHIVED,
        customer_id=customer.id,
        work_address_id=address.id,
        description="Onderhoud",
    )
    session.add(work_order)
    await session.flush()
    session.add_all(
        [
            TimeEntry(
                tenant_id=tenant_id,
                work_order_id=work_order.id,
                kind=TimeEntryKind.WORK,
                minutes=60,
            ),
            Material(
                tenant_id=tenant_id,
                work_order_id=work_order.id,
                article_id=article.id,
                quantity=Decimal(1),
                unit_price=Decimal("2.35"),
            ),
            OutboxEvent(
                tenant_id=tenant_id,
                event_type="work_order.archived",
                version=1,
                aggregate_id=work_order.id,
                payload={},
            ),
            InvoiceExport(
                tenant_id=tenant_id,
                work_order_id=work_order.id,
                status=ExportStatus.FAILED,
                api_reference=f"simon-{work_order.id}",
            ),
        ]
    )
    await session.commit()
    return {"customer": customer.id, "work_order": work_order.id}


async def count(session: AsyncSession, model: Any, tenant_id: int) -> int:
    statement = select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
    return int(await session.scalar(statement) or 0)


async def test_the_preview_shows_count_and_last_mutation_of_seven_tables(
    wizard: Wizard, session: AsyncSession
) -> None:
    await fill(session, wizard.who.tenant_id)
    preview = await wizard.call("GET", "/wipe")
    assert preview["first_activation"] is True
    tables = {t["table"]: t for t in preview["tables"]}
    assert list(tables) == ALL
    assert tables["object"]["label"] == "Objecten"
    for table in tables.values():
        assert table["count"] == 1
        assert table["last_mutation_at"] is not None
        assert table["required"] is True


async def test_an_empty_table_has_no_last_mutation(wizard: Wizard) -> None:
    preview = await wizard.call("GET", "/wipe")
    assert {(t["count"], t["last_mutation_at"]) for t in preview["tables"]} == {(0, None)}


async def test_a_first_wipe_of_only_some_tables_is_refused(
    wizard: Wizard, session: AsyncSession
) -> None:
    await fill(session, wizard.who.tenant_id)
    problem = await wizard.call("POST", "/wipe", {"tables": ["customer", "article"]}, status=422)
    assert problem["code"] == "all_tables_required"
    assert problem["errors"][0]["field"] == "tables"
    assert await count(session, Customer, wizard.who.tenant_id) == 1
    assert (await wizard.call("GET", ""))["wizard"]["wiped"] is False


async def test_an_unknown_table_is_refused(wizard: Wizard) -> None:
    problem = await wizard.call("POST", "/wipe", {"tables": [*ALL, "employees"]}, status=422)
    assert problem["code"] == "unknown_table"


async def test_the_first_wipe_empties_everything_with_the_work_orders_lines(
    wizard: Wizard, session: AsyncSession
) -> None:
    tenant_id = wizard.who.tenant_id
    await fill(session, tenant_id)
    result = await wizard.call("POST", "/wipe", {"tables": ALL})
    assert {t["table"]: t["deleted"] for t in result["tables"]}["work_order"] == 1
    for model in (ArticleGroup, Article, WorkOrder, WorkAddress, Customer, CustomerObject,
                  ContactPerson, TimeEntry, Material, OutboxEvent, InvoiceExport):  # fmt: skip
        assert await count(session, model, tenant_id) == 0, model.__name__


async def test_a_reactivation_may_wipe_a_subset(wizard: Wizard, session: AsyncSession) -> None:
    tenant_id = wizard.who.tenant_id
    await wizard.activate()
    await wizard.call("POST", "/deactivate", {"confirm": True})
    await fill(session, tenant_id)

    preview = await wizard.call("GET", "/wipe")
    assert preview["first_activation"] is False
    assert not any(t["required"] for t in preview["tables"])
    await wizard.call("POST", "/wipe", {"tables": ["article_group"]})
    assert await count(session, ArticleGroup, tenant_id) == 0
    assert await count(session, Customer, tenant_id) == 1
    assert await count(session, WorkOrder, tenant_id) == 1


async def test_a_subset_wipe_that_work_orders_still_need_is_refused(
    wizard: Wizard, session: AsyncSession
) -> None:
    tenant_id = wizard.who.tenant_id
    await wizard.activate()
    await wizard.call("POST", "/deactivate", {"confirm": True})
    await fill(session, tenant_id)
    problem = await wizard.call("POST", "/wipe", {"tables": ["customer"]}, status=422)
    assert problem["code"] == "wipe_blocked_by_work_orders"
    assert "Werkbon" in problem["errors"][0]["message"]
    assert await count(session, Customer, tenant_id) == 1

    result = await wizard.call("POST", "/wipe", {"tables": ["customer", "work_order"]})
    wiped = {t["table"] for t in result["tables"]}
    assert {"customer", "work_address", "contact_person", "object", "work_order"} == wiped
    assert await count(session, Customer, tenant_id) == 0
    assert await count(session, Article, tenant_id) == 1


async def test_no_wipe_while_the_integration_is_active(wizard: Wizard) -> None:
    await wizard.activate()
    problem = await wizard.call("POST", "/wipe", {"tables": ["article_group"]}, status=409)
    assert problem["code"] == "integration_active"
