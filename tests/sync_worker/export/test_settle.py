"""An ambiguous POST is settled only when Rompslomp can no longer be working on it (issue
#10 §2), against the in-process sandbox's worst faults: a late commit (503 at once, the
invoice stored later without its api_reference check), lists that do not echo
api_reference, a live worker's lease."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from services.sync_worker.export import products, transitions
from services.sync_worker.export.sender import ExportWaits
from shared.clock import utcnow
from shared.enums import IntegrationState, WorkOrderStatus
from shared.events import WorkOrderArchivedV1
from shared.export_status import ExportStatus
from shared.models import Integration, IntegrationLogEntry, OutboxEvent
from tests.sync_worker.export.support import LEASE, SETTLE, Shop


async def faults(shop: Shop, **config: Any) -> None:
    answer = await shop.sandbox.put("/_sandbox/faults", json=config)
    assert answer.status_code == 200, answer.text


async def until_invoices(shop: Shop, count: int) -> list[dict[str, Any]]:
    """The sandbox's invoices once there are `count` (a late commit lands in the background)."""
    async with asyncio.timeout(30):
        while True:
            found = await shop.invoices()
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)


async def messages(shop: Shop, work_order_id: int) -> list[tuple[str, str]]:
    rows = await shop.session.scalars(
        select(IntegrationLogEntry)
        .where(IntegrationLogEntry.work_order_id == work_order_id)
        .order_by(IntegrationLogEntry.id)
    )
    return [(row.level, row.message) for row in rows]


@pytest.fixture
async def cancel_late_commits(shop: Shop) -> Any:
    yield
    await shop.sandbox.post("/_sandbox/reset")  # late commits still pending never happen


async def test_a_late_commit_is_neither_posted_again_nor_looked_up_before_it_settles(
    shop: Shop,
) -> None:
    await faults(shop, late_commit_rate=1.0, late_commit_seconds=0.05)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)

    first = await shop.attempt(event_id)

    assert isinstance(first, ExportWaits)
    assert first.reason == "settling"
    row = await shop.export_row(work_order)
    assert row.status == "unknown"
    assert row.settle_after == first.until
    # The job runs again at once (a redelivery): no lookup, no POST.
    await shop.sandbox.post("/_sandbox/stats/reset")
    again = await shop.attempt(event_id)
    assert isinstance(again, ExportWaits)
    assert (await shop.sandbox_stats())["requests"] == 0

    await until_invoices(shop, 1)  # Rompslomp committed it meanwhile
    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    row = await shop.export_row(work_order)
    assert (row.status, row.rompslomp_invoice_id, row.attempts) == ("sent", invoice["id"], 1)
    assert (await shop.sandbox_stats())["invoice_posts"] == 0  # none since the first


@pytest.mark.usefixtures("cancel_late_commits")
async def test_not_found_once_settled_is_posted_again_once_per_settle_period(shop: Shop) -> None:
    await faults(shop, late_commit_rate=1.0, late_commit_seconds=3600)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert isinstance(await shop.attempt(event_id), ExportWaits)

    await shop.time_passes(work_order, SETTLE)
    assert isinstance(await shop.attempt(event_id), ExportWaits)  # looked up, POSTed again
    assert isinstance(await shop.attempt(event_id), ExportWaits)  # settling: nothing sent
    assert (await shop.sandbox_stats())["invoice_posts"] == 2

    await shop.sandbox.delete("/_sandbox/faults")
    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "sent"
    assert len(await shop.invoices()) == 1
    assert (await shop.export_row(work_order)).attempts == 3


@pytest.mark.usefixtures("cancel_late_commits")
async def test_a_later_attempt_refused_by_rompslomp_fails_only_after_an_empty_lookup(
    shop: Shop,
) -> None:
    await faults(shop, late_commit_rate=1.0, late_commit_seconds=3600)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert isinstance(await shop.attempt(event_id), ExportWaits)
    await shop.sandbox.delete("/_sandbox/faults")
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/contacts/{shop.contact_id}")
    await shop.sandbox.post("/_sandbox/stats/reset")

    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "failed"

    stats = await shop.sandbox_stats()
    # lookup, POST (422), lookup again before `failed`
    assert (stats["invoice_posts"], stats["by_status"]) == (1, {"200": 2, "422": 1})
    (level, message), *_ = await messages(shop, work_order.id)
    assert level == "error"
    assert "Contact bestaat niet" in message


async def test_a_refusal_in_any_words_is_sent_when_the_invoice_is_there(shop: Shop) -> None:
    """Not the message decides (here it speaks of the contact, not the reference): a lookup."""
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    existing = await shop.invoice_made_elsewhere(f"simon-{shop.tenant_id}-wo-{work_order.id}")
    # The contact goes after the checks read it: Rompslomp refuses for the contact.
    original = products.resolve

    async def resolve_then_lose_the_contact(*args: Any, **kwargs: Any) -> Any:
        resolved = await original(*args, **kwargs)
        await shop.sandbox.delete(
            f"/_sandbox/companies/{shop.company_id}/contacts/{shop.contact_id}"
        )
        return resolved

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(products, "resolve", resolve_then_lose_the_contact)
        assert await shop.export(event_id) == "sent"

    row = await shop.export_row(work_order)
    assert row.rompslomp_invoice_id == existing


async def test_lists_without_api_reference_still_find_the_invoice_through_the_filter(
    shop: Shop,
) -> None:
    await faults(shop, drop_after_commit_rate=1.0, echo_api_reference=False)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert isinstance(await shop.attempt(event_id), ExportWaits)

    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "sent"

    await shop.sandbox.delete("/_sandbox/faults")
    (invoice,) = await shop.invoices()
    assert (await shop.export_row(work_order)).rompslomp_invoice_id == invoice["id"]


async def test_duplicates_made_by_a_racing_rompslomp_are_reported_and_the_oldest_kept(
    shop: Shop,
) -> None:
    await faults(shop, late_commit_rate=1.0, late_commit_seconds=0.2)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert isinstance(await shop.attempt(event_id), ExportWaits)
    # Someone else's POST with the same reference gets in before the late commit lands.
    await shop.sandbox.delete("/_sandbox/faults")
    await shop.invoice_made_elsewhere(f"simon-{shop.tenant_id}-wo-{work_order.id}")
    both = await until_invoices(shop, 2)

    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "sent"

    row = await shop.export_row(work_order)
    assert row.rompslomp_invoice_id == min(invoice["id"] for invoice in both)
    assert ("error", f"Rompslomp bevat 2 conceptfacturen voor werkbon {work_order.number}.") in (
        await messages(shop, work_order.id)
    )


async def test_a_live_workers_lease_is_not_doubled(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "sent"
    row = await shop.export_row(work_order)
    row.status, row.sending_since = ExportStatus.SENDING, utcnow()  # another worker is POSTing
    await shop.session.commit()
    await shop.sandbox.post("/_sandbox/stats/reset")

    waits = await shop.attempt(event_id)

    assert isinstance(waits, ExportWaits)
    assert waits.reason == "in_flight"
    assert (await shop.sandbox_stats())["requests"] == 0
    await shop.time_passes(work_order, LEASE)
    expired = await shop.attempt(event_id)  # the lease ran out: settle, then look up
    assert isinstance(expired, ExportWaits)
    assert (await shop.export_row(work_order)).status == "unknown"
    assert (await shop.sandbox_stats())["requests"] == 0


async def test_sent_wins_over_a_concurrent_failure_and_says_so(shop: Shop) -> None:
    work_order = await shop.work_order(customer=False)
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "failed"
    row = await shop.export_row(work_order)
    event = await shop.session.get(OutboxEvent, event_id)
    assert event is not None

    transitions.sent(shop.session, row, WorkOrderArchivedV1.model_validate(event.payload), 4242)
    await shop.session.commit()

    row = await shop.export_row(work_order)
    assert (row.status, row.rompslomp_invoice_id) == ("sent", 4242)
    levels = [level for level, _ in await messages(shop, work_order.id)]
    assert levels == ["error", "warning", "info"]


@pytest.mark.parametrize(
    ("change", "outcome"),
    [("deactivated", "waiting"), ("reopened", "ignored")],
)
async def test_nothing_is_sent_when_the_integration_or_work_order_changed_after_the_claim(
    shop: Shop, change: str, outcome: str
) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    original = products.resolve

    async def resolve_then_change(*args: Any, **kwargs: Any) -> Any:
        resolved = await original(*args, **kwargs)
        if change == "deactivated":
            integration = await shop.session.get(Integration, shop.tenant_id)
            assert integration is not None
            integration.state = IntegrationState.INACTIVE
        else:
            work_order.status = WorkOrderStatus.COMPLETED
        await shop.session.commit()
        return resolved

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(products, "resolve", resolve_then_change)
        assert await shop.export(event_id) == outcome

    assert (await shop.export_row(work_order)).status == "pending"
    assert (await shop.sandbox_stats())["invoice_posts"] == 0
    assert await shop.invoices() == []
