"""The activation wizard in process: never_activated → wiped → connected → configured →
active, with the status screen and the log following along."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import RecordSource
from shared.models import Customer, IntegrationLogEntry, SyncRun
from tests.sync_worker.support import Wizard, query_of


async def test_a_new_tenant_has_never_activated_the_integration(wizard: Wizard) -> None:
    status = await wizard.call("GET", "")
    assert status["state"] == "never_activated"
    assert status["wizard"] == {"wiped": False, "connected": False, "configured": False}
    assert status["started_at"] is None
    assert [t["table"] for t in status["tables"]] == [
        "article_group",
        "article",
        "customer",
        "work_address",
    ]
    assert status["sync"] == []


async def test_the_wizard_walks_from_never_activated_to_active(
    wizard: Wizard, session: AsyncSession
) -> None:
    session.add(Customer(tenant_id=wizard.who.tenant_id, name="Bakkerij Jansen"))
    await session.commit()

    preview = await wizard.call("GET", "/wipe")
    customers = next(t for t in preview["tables"] if t["table"] == "customer")
    assert customers["count"] == 1
    assert customers["last_mutation_at"] is not None
    assert all(t["required"] for t in preview["tables"])
    assert len(preview["tables"]) == 7

    await wizard.wipe_all()
    status = await wizard.call("GET", "")
    assert status["wizard"]["wiped"] is True
    assert status["state"] == "never_activated"

    callback = await wizard.authorize()
    assert set(query_of(callback)) == {"code", "state"}
    page = await wizard.callback(callback)
    assert page.status_code == 200
    assert "Gekoppeld met Rompslomp" in page.text
    assert (await wizard.call("GET", ""))["wizard"]["connected"] is True

    company = await wizard.administration()
    checked = await wizard.call(
        "POST", "/check", {"administration_id": company["id"], "product": "P1"}
    )
    assert checked["product_code"] == "P1"
    assert checked["description"]
    by_id = await wizard.call(
        "POST", "/check", {"administration_id": company["id"], "product": checked["id"]}
    )
    assert by_id == checked

    saved = await wizard.call(
        "PUT",
        "/settings",
        {
            "administration_id": company["id"],
            "work_time_product": "P1",
            "standard_product": checked["id"],
            "description_as_first_line": True,
            "filter_word": " Garantie ",
            "accept_terms": True,
        },
        status=202,
    )
    assert saved["state"] == "active"
    assert saved["work_time_product"]["id"] == checked["id"]
    assert saved["standard_product"]["product_code"] == "P1"
    assert saved["travel_time_product"] is None
    assert saved["filter_word"] == "Garantie"
    assert {run["entity"] for run in saved["sync"]} == {"customers", "articles"}

    status = await wizard.call("GET", "")
    assert status["state"] == "active"
    assert status["wizard"] == {"wiped": True, "connected": True, "configured": True}
    assert status["started_at"] is not None
    assert status["ended_at"] is None
    assert {(r["entity"], r["status"]) for r in status["sync"]} == {
        ("customers", "queued"),
        ("articles", "queued"),
    }
    runs = (
        await session.scalars(select(SyncRun).where(SyncRun.tenant_id == wizard.who.tenant_id))
    ).all()
    assert {run.trigger for run in runs} == {"initial"}

    messages = (
        await session.scalars(
            select(IntegrationLogEntry.message).where(
                IntegrationLogEntry.tenant_id == wizard.who.tenant_id
            )
        )
    ).all()
    assert any(m.startswith("Simon-gegevens gewist") for m in messages)
    assert "Koppeling met Rompslomp gemaakt." in messages
    assert any(m.startswith("Instellingen opgeslagen") for m in messages)
    assert any(m.startswith("Integratie met Rompslomp geactiveerd") for m in messages)


async def test_saving_settings_again_keeps_the_history(wizard: Wizard) -> None:
    first = await wizard.activate()
    body = {"administration_id": first["administration_id"], "accept_terms": True}
    again = await wizard.call("PUT", "/settings", body, status=200)
    assert again["work_time_product"] is None
    assert (await wizard.call("GET", "/settings"))["work_time_product"] is None
    history = (await wizard.call("GET", "/settings/history"))["items"]
    assert len(history) == 2
    assert history[0]["settings"]["work_time_product"] is None
    assert history[1]["settings"]["work_time_product"]["product_code"] == "P1"
    assert history[0]["saved_by"] == wizard.who.employee_id
    assert history[0]["saved_at"] >= history[1]["saved_at"]


async def test_the_status_splits_simon_mutations_from_integration_updates(
    wizard: Wizard, session: AsyncSession
) -> None:
    tenant_id = wizard.who.tenant_id
    session.add_all(
        [
            Customer(
                tenant_id=tenant_id,
                name="Uit Rompslomp",
                source=RecordSource.ROMPSLOMP,
                rompslomp_id=7,
            ),
            Customer(tenant_id=tenant_id, name="Uit Simon"),
        ]
    )
    await session.commit()
    status = await wizard.call("GET", "")
    customers = next(t for t in status["tables"] if t["table"] == "customer")
    assert customers["count"] == 2
    assert customers["simon_mutation_at"] is not None
    assert customers["integration_update_at"] is not None
    articles = next(t for t in status["tables"] if t["table"] == "article")
    assert articles == {
        "table": "article",
        "count": 0,
        "simon_mutation_at": None,
        "integration_update_at": None,
    }
