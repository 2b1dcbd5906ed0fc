"""A throttled tenant never holds a worker slot or a person (issue #10 §3): a long
Retry-After sends the export job back to the queue for that moment, other jobs of the
tenant wait there without asking Rompslomp, and the wizard answers 503 with Retry-After."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from services.sync_worker.export import products
from services.sync_worker.export.sender import ExportWaits
from services.sync_worker.rompslomp import BudgetRegistry
from services.sync_worker.rompslomp.errors import DEFAULT_RETRY_AFTER
from shared.clock import utcnow
from tests.sync_worker.export.support import Shop

P = "/api/v1/integration"


async def throttle(shop: Shop, retry_after: str) -> None:
    answer = await shop.sandbox.put(
        "/_sandbox/faults",
        json={"throttle": [{"company_id": shop.company_id, "retry_after": retry_after}]},
    )
    assert answer.status_code == 200, answer.text


def near(moment: dt.datetime, seconds: float, before: dt.datetime) -> bool:
    """`moment` is `seconds` after some instant between `before` and now."""
    return (
        before + dt.timedelta(seconds=seconds) <= moment <= utcnow() + dt.timedelta(seconds=seconds)
    )


@pytest.mark.parametrize(("header", "seconds"), [("3600", 3600.0), ("inf", DEFAULT_RETRY_AFTER)])
async def test_a_long_retry_after_sends_the_export_back_to_the_queue_for_that_moment(
    shop: Shop, header: str, seconds: float
) -> None:
    await throttle(shop, header)
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    before = utcnow()

    waits = await shop.attempt(event_id)

    assert isinstance(waits, ExportWaits)
    assert waits.reason == "throttled"
    assert near(waits.until, seconds, before)
    assert (await shop.export_row(work_order)).status == "pending"  # nothing was POSTed
    assert (await shop.sandbox_stats())["invoice_posts"] == 0


async def test_the_tenants_other_exports_wait_in_the_queue_without_asking_rompslomp(
    shop: Shop,
) -> None:
    await throttle(shop, "3600")
    first, second = await shop.work_order(), await shop.work_order()
    assert isinstance(await shop.attempt(await shop.archive(first)), ExportWaits)
    await shop.sandbox.post("/_sandbox/stats/reset")

    waits = await shop.attempt(await shop.archive(second))

    assert isinstance(waits, ExportWaits)
    assert waits.reason == "throttled"
    assert (await shop.sandbox_stats())["requests"] == 0


async def test_a_429_on_the_post_itself_is_certain_the_export_stays_pending(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    original = products.resolve

    async def resolve_then_throttle(*args: Any, **kwargs: Any) -> Any:
        resolved = await original(*args, **kwargs)
        await throttle(shop, "600")
        return resolved

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(products, "resolve", resolve_then_throttle)
        waits = await shop.attempt(event_id)

    assert isinstance(waits, ExportWaits)
    row = await shop.export_row(work_order)
    assert (row.status, row.attempts, row.settle_after) == ("pending", 1, None)
    await shop.sandbox.delete("/_sandbox/faults")
    shop.rompslomp.budgets = BudgetRegistry()  # as if the 600 s passed
    assert await shop.export(event_id) == "sent"


async def test_wizard_calls_of_a_throttled_tenant_answer_503_with_retry_after(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await throttle(shop, "3600")

    answer = await client.post(
        f"{P}/check",
        json={"administration_id": shop.company_id, "product": "P1"},
        headers=shop.key.headers,
    )

    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "3600"
    assert answer.json()["code"] == "rompslomp_rate_limited"
    # The tenant stays paused: the next call answers at once, without asking Rompslomp.
    await shop.sandbox.post("/_sandbox/stats/reset")
    again = await client.post(
        f"{P}/check",
        json={"administration_id": shop.company_id, "product": "P1"},
        headers=shop.key.headers,
    )
    assert again.status_code == 503
    assert 3590 <= int(again.headers["Retry-After"]) <= 3600
    assert (await shop.sandbox_stats())["requests"] == 0
