"""Deactivate (with confirmation) and activate again (R-SETUP-7); simon_api's
managed_by_rompslomp rule (R-MASTER-3) follows the state the wizard sets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.lookups import integration_is_active
from shared.models import SyncRun
from tests.sync_worker.support import Wizard


async def test_deactivation_needs_confirmation(wizard: Wizard) -> None:
    await wizard.activate()
    for body in ({}, {"confirm": False}):
        problem = await wizard.call("POST", "/deactivate", body, status=422)
        assert problem["code"] == "confirmation_required"
    assert (await wizard.call("GET", ""))["state"] == "active"


async def test_deactivation_stops_everything_and_cancels_queued_syncs(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.activate()
    status = await wizard.call("POST", "/deactivate", {"confirm": True})
    assert status["state"] == "inactive"
    assert status["ended_at"] is not None
    assert {run["status"] for run in status["sync"]} == {"cancelled"}
    assert (await wizard.call("POST", "/sync", {"customers": True}, status=409))[
        "code"
    ] == "not_active"
    logs = await wizard.call("GET", "/logs")
    assert logs["items"][0]["message"].startswith("Integratie met Rompslomp gedeactiveerd")


async def test_activating_again_resumes_and_queues_syncs(
    wizard: Wizard, session: AsyncSession
) -> None:
    await wizard.activate()
    await wizard.call("POST", "/deactivate", {"confirm": True})
    status = await wizard.call("POST", "/activate")
    assert status["state"] == "active"
    assert status["ended_at"] is None
    assert {(r["entity"], r["status"]) for r in status["sync"]} == {
        ("customers", "queued"),
        ("articles", "queued"),
    }
    triggers = (
        await session.scalars(
            select(SyncRun.trigger)
            .where(SyncRun.tenant_id == wizard.who.tenant_id)
            .order_by(SyncRun.id)
        )
    ).all()
    assert triggers == ["initial", "initial", "resume", "resume"]


async def test_activate_refuses_before_the_wizard_and_while_active(wizard: Wizard) -> None:
    assert (await wizard.call("POST", "/activate", status=409))["code"] == "wizard_incomplete"
    await wizard.activate()
    assert (await wizard.call("POST", "/activate", status=409))["code"] == "already_active"


async def test_sync_now_queues_one_waiting_run_per_entity(wizard: Wizard) -> None:
    await wizard.activate()
    first = await wizard.call("POST", "/sync", {"customers": True}, status=202)
    again = await wizard.call("POST", "/sync", {"customers": True}, status=202)
    assert first["runs"][0]["id"] == again["runs"][0]["id"]
    assert (await wizard.call("POST", "/sync", {}, status=422))["code"] == "nothing_to_sync"
    assert len((await wizard.call("GET", "/sync-runs"))["items"]) == 2


async def test_simon_apis_managed_by_rompslomp_rule_follows_the_wizard(
    wizard: Wizard, session: AsyncSession
) -> None:
    """simon_api answers 409 `managed_by_rompslomp` exactly when this says active."""
    assert not await integration_is_active(session, wizard.who.tenant_id)
    await wizard.activate()
    assert await integration_is_active(session, wizard.who.tenant_id)
    await wizard.call("POST", "/deactivate", {"confirm": True})
    assert not await integration_is_active(session, wizard.who.tenant_id)
    await wizard.call("POST", "/activate")
    assert await integration_is_active(session, wizard.who.tenant_id)


async def test_the_log_pages_and_filters(wizard: Wizard) -> None:
    await wizard.activate()
    everything = await wizard.call("GET", "/logs")
    assert everything["page"] == 1
    assert everything["per_page"] == 40
    assert everything["total"] == len(everything["items"]) >= 4
    assert all(item["action"] for item in everything["items"])
    second = await wizard.call("GET", "/logs?per_page=2&page=2")
    assert second["items"] == everything["items"][2:4]
    assert (await wizard.call("GET", "/logs?level=error"))["total"] == 0
