"""Archiving writes `work_order.archived` to the outbox in the same transaction (DESIGN D2)."""

import asyncio
from collections.abc import Sequence
from decimal import Decimal

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.simon_api.work_orders import service
from shared.auth import Principal, create_tenant
from shared.db import create_sessionmaker
from shared.enums import RecordSource, Role, WorkOrderStatus
from shared.events import WORK_ORDER_ARCHIVED, WorkOrderArchivedV1
from shared.models import Article, Customer, OutboxEvent, WorkOrder
from shared.outbox import NOTIFY_CHANNEL
from tests.simon_api.support import Api, signature_body
from tests.support.tenants import TenantKey


async def _rompslomp_led(session: AsyncSession, customer_id: int, article_ids: list[int]) -> None:
    customer = await session.get(Customer, customer_id)
    assert customer is not None
    customer.rompslomp_id, customer.source = 555001, RecordSource.ROMPSLOMP
    for n, article_id in enumerate(article_ids):
        article = await session.get(Article, article_id)
        assert article is not None
        article.rompslomp_id, article.source = 777001 + n, RecordSource.ROMPSLOMP
        article.vat_type_id = 42
    await session.commit()


async def _events(session: AsyncSession, work_order_id: int) -> Sequence[OutboxEvent]:
    return (
        await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == work_order_id))
    ).all()


async def test_archive_writes_one_event_with_a_complete_snapshot(
    api: Api, session: AsyncSession, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    wid = work_order["id"]
    pipe = await api.article(code="KB15", description="Koperen bocht", price="2.35")
    valve = await api.article(code="KR22", description="Kogelkraan", price="14.00")
    await api.post(f"/work-orders/{wid}/time-entries", {"kind": "work", "minutes": 120})
    await api.post(f"/work-orders/{wid}/time-entries", {"kind": "travel", "minutes": 15})
    await api.post(f"/work-orders/{wid}/materials", {"article_id": pipe["id"], "quantity": "4"})
    await api.post(
        f"/work-orders/{wid}/materials",
        {"article_id": valve["id"], "quantity": "1", "unit_price": "12.00"},
    )
    person = await api.post(
        "/contact-persons",
        {"customer_id": work_order["customer_id"], "name": "Anja de Boer", "phone": "06-1234"},
    )
    boiler = await api.post(
        "/objects",
        {
            "customer_id": work_order["customer_id"],
            "name": "CV-ketel",
            "brand": "Remeha",
            "model": "Tzerra 24",
            "serial_number": "RT-1",
        },
    )
    await api.client.patch(
        f"/api/v1/work-orders/{wid}",
        json={"contact_person_id": person["id"], "object_id": boiler["id"]},
        headers=office.headers,
    )
    template = await api.template()
    form = await api.form(wid, template["id"])
    await api.put(
        f"/work-orders/{wid}/forms/{form['id']}",
        {"answers": {"meterstand": 12345, "gereinigd": True, "onderdelen": ["pakking"]}},
    )
    await api.put(f"/work-orders/{wid}/signature", signature_body("J. Jansen"))
    await _rompslomp_led(session, work_order["customer_id"], [pipe["id"], valve["id"]])
    await api.post(f"/work-orders/{wid}/complete", status=200)
    await api.post(f"/work-orders/{wid}/archive", status=200)

    [event] = await _events(session, wid)
    assert (event.event_type, event.version, event.tenant_id) == (
        WORK_ORDER_ARCHIVED,
        1,
        office.tenant_id,
    )
    payload = WorkOrderArchivedV1.model_validate(event.payload)
    assert payload.number == work_order["number"]
    assert payload.archive_seq == 1
    assert payload.description == "Cv-ketel onderhoud"
    assert payload.customer is not None
    assert payload.customer.rompslomp_id == 555001
    assert payload.work_address is not None
    assert payload.work_address.street == "Kerkstraat 5"
    assert payload.assignee is not None
    assert payload.assignee.name == "Kantoor"
    assert [(t.kind, t.minutes, t.employee and t.employee.name) for t in payload.time_entries] == [
        ("work", 120, "Kantoor"),
        ("travel", 15, "Kantoor"),
    ]
    assert [
        (m.article.rompslomp_id, m.article.code, m.quantity, m.unit_price, m.article.vat_type_id)
        for m in payload.materials
    ] == [
        (777001, "KB15", Decimal("4"), Decimal("2.35"), 42),
        (777002, "KR22", Decimal("1"), Decimal("12.00"), 42),
    ]
    assert payload.completed_at is not None
    assert payload.archived_at is not None
    assert payload.contact_person is not None
    assert (payload.contact_person.name, payload.contact_person.phone) == (
        "Anja de Boer",
        "06-1234",
    )
    assert payload.object is not None
    assert payload.object.title == "CV-ketel Remeha Tzerra 24"
    assert payload.object.serial_number == "RT-1"
    [filled] = payload.forms
    assert (filled.id, filled.template_id, filled.template_version, filled.name) == (
        form["id"],
        template["id"],
        1,
        "Onderhoud cv-ketel",
    )
    assert [(q.key, q.on_invoice, q.answer) for q in filled.questions] == [
        ("meterstand", True, "12345"),
        ("gereinigd", False, True),
        ("toestand", False, None),
        ("onderdelen", False, ["pakking"]),
        ("volgende_beurt", False, None),
        ("opmerking", False, None),
    ]
    assert payload.signature is not None
    assert payload.signature.name == "J. Jansen"
    assert payload.signature.signed_at is not None


def test_an_event_from_before_forms_and_signatures_still_parses() -> None:
    """Events already in the outbox when issue 13 shipped carry none of its fields."""
    earlier = {
        "version": 1,
        "tenant_id": 1,
        "work_order_id": 2,
        "number": "2026-00002",
        "archive_seq": 1,
        "description": "Lekkage",
        "customer": None,
        "work_address": None,
        "assignee": None,
        "planned_date": None,
        "completed_at": None,
        "archived_at": "2026-11-27T12:00:00Z",
        "time_entries": [],
        "materials": [],
    }
    payload = WorkOrderArchivedV1.model_validate(earlier)
    assert (payload.contact_person, payload.object, payload.forms, payload.signature) == (
        None,
        None,
        [],
        None,
    )


def test_the_snapshot_schema_adds_issue_13_fields_as_optional() -> None:
    schema = WorkOrderArchivedV1.model_json_schema()
    added = {"contact_person", "object", "forms", "signature"}
    assert added <= set(schema["properties"])
    assert not added & set(schema["required"])
    question = schema["$defs"]["FormQuestionSnapshot"]["properties"]
    assert {"key", "label", "type", "required", "on_invoice", "answer"} <= set(question)


async def test_a_rolled_back_archive_leaves_no_event(
    api: Api, session: AsyncSession, office: TenantKey
) -> None:
    work_order = await api.completed_work_order()
    principal = Principal(office.tenant_id, office.employee_id, Role.OFFICE)
    savepoint = await session.begin_nested()
    await service.archive(session, principal, work_order["id"])
    assert len(await _events(session, work_order["id"])) == 1
    await savepoint.rollback()

    assert await _events(session, work_order["id"]) == []
    status = await session.scalar(select(WorkOrder.status).where(WorkOrder.id == work_order["id"]))
    assert status == "completed"


async def test_reopen_and_archive_again_writes_a_second_event(
    api: Api, session: AsyncSession
) -> None:
    work_order = await api.completed_work_order()
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    await api.post(f"/work-orders/{work_order['id']}/reopen", status=200)
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    events = await _events(session, work_order["id"])
    assert [e.payload["archive_seq"] for e in events] == [1, 2]


async def test_listeners_hear_of_an_archive_only_when_it_commits(
    engine: AsyncEngine, database_url: str
) -> None:
    """Real commits (no rollback fixture): a listener gets the event id on commit only."""
    parsed = make_url(database_url)
    listener = await asyncpg.connect(
        user=parsed.username,
        host=parsed.query.get("host") or parsed.host,
        port=parsed.port,
        database=parsed.database,
        password=parsed.password,
    )
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: heard.put_nowait(args[3]))
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            tenant, employee, _ = await create_tenant(session, "Notify BV")
            principal = Principal(tenant.id, employee.id, Role.OFFICE)
            work_order = WorkOrder(
                tenant_id=tenant.id,
                number="2026-00001",
                status=WorkOrderStatus.COMPLETED,
                description="x",
            )
            session.add(work_order)
            await session.commit()
            work_order_id = work_order.id

            await service.archive(session, principal, work_order_id)
            await session.rollback()
            await asyncio.sleep(0.2)
            assert heard.empty()

            await service.archive(session, principal, work_order_id)
            await session.commit()
            event_id = await asyncio.wait_for(heard.get(), timeout=5)
            count = await session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.id == int(event_id))
            )
            assert count == 1
    finally:
        await listener.close()
