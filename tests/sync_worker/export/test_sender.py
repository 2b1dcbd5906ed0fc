"""Exactly-once export (R-EXPORT-2/4/6, DESIGN D3) against the in-process sandbox."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text, update

from services.sync_worker.export import mapping
from services.sync_worker.export.sender import ExportWaits
from services.sync_worker.integration.state import activate, ensure_integration
from services.sync_worker.metrics import REGISTRY
from shared.clock import utcnow
from shared.enums import IntegrationState
from shared.export_status import ExportStatus
from shared.models import Article, Integration, IntegrationLogEntry
from tests.sync_worker.export.support import LEASE, SETTLE, Shop


async def log_lines(shop: Shop, work_order_id: int) -> list[tuple[str, str, str]]:
    rows = await shop.session.scalars(
        select(IntegrationLogEntry)
        .where(IntegrationLogEntry.work_order_id == work_order_id)
        .order_by(IntegrationLogEntry.id)
    )
    return [(r.level, r.message, r.action) for r in rows]


async def test_an_archive_becomes_one_concept_invoice_with_the_mapped_lines(shop: Shop) -> None:
    work_order = await shop.work_order(description="Lekkage keuken")
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    assert invoice["status"] == "concept"
    assert invoice["contact_id"] == shop.contact_id
    assert invoice["api_reference"] == mapping.api_reference(shop.tenant_id, work_order.id)
    assert invoice["description"] == (
        f"Werkbon {work_order.number}, werkadres Dorpsstraat 1, 3511 AB Utrecht"
    )
    assert [
        (line["description"], Decimal(str(line["quantity"])), line["product_id"])
        for line in invoice["invoice_lines"]
    ] == [
        ("Lekkage keuken", Decimal(1), None),
        ("Arbeid monteur", Decimal(2), shop.products["work"]["id"]),
        ("Reistijd", Decimal("0.25"), shop.products["travel"]["id"]),
        ("Knelkoppeling 15 mm", Decimal(2), shop.products["knel"]["id"]),
        ("Thermostaatkraan", Decimal(1), shop.products["kraan"]["id"]),
    ]
    row = await shop.export_row(work_order)
    assert (row.status, row.rompslomp_invoice_id, row.attempts) == ("sent", invoice["id"], 1)
    assert row.sent_at is not None
    assert await log_lines(shop, work_order.id) == [
        (
            "info",
            f"Conceptfactuur aangemaakt in Rompslomp voor werkbon {work_order.number}.",
            "Geen actie nodig",
        )
    ]


async def test_the_same_event_delivered_twice_sends_once(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "sent"
    assert await shop.export(event_id) == "ignored"
    assert len(await shop.invoices()) == 1


async def test_a_crash_after_the_post_is_settled_by_lookup_not_a_second_post(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "sent"
    # As if the worker died after Rompslomp created the invoice, before `sent` was stored.
    row = await shop.export_row(work_order)
    row.status, row.rompslomp_invoice_id, row.sending_since = ExportStatus.SENDING, None, utcnow()
    await shop.session.commit()
    await shop.time_passes(work_order, LEASE + SETTLE + 1)

    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    row = await shop.export_row(work_order)
    assert (row.status, row.rompslomp_invoice_id, row.attempts) == ("sent", invoice["id"], 1)


async def test_a_crash_before_the_post_went_out_sends_the_stored_invoice(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    assert await shop.export(event_id) == "sent"
    (invoice,) = await shop.invoices()
    await shop.sandbox.delete(
        f"/_sandbox/companies/{shop.company_id}/sales_invoices/{invoice['id']}"
    )
    row = await shop.export_row(work_order)
    row.status, row.sending_since = (
        ExportStatus.SENDING,
        utcnow(),
    )  # the POST never reached Rompslomp
    await shop.session.commit()
    await shop.time_passes(work_order, LEASE + SETTLE + 1)

    assert await shop.export(event_id) == "sent"

    assert len(await shop.invoices()) == 1
    assert (await shop.export_row(work_order)).attempts == 2


async def test_a_connection_dropped_after_commit_is_found_by_api_reference_once_settled(
    shop: Shop,
) -> None:
    await shop.sandbox.put("/_sandbox/faults", json={"drop_after_commit_rate": 1.0})
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)

    waits = await shop.attempt(event_id)
    assert isinstance(waits, ExportWaits)
    assert (await shop.export_row(work_order)).status == "unknown"
    await shop.time_passes(work_order, SETTLE)
    assert await shop.export(event_id) == "sent"

    await shop.sandbox.delete("/_sandbox/faults")
    (invoice,) = await shop.invoices()
    assert (await shop.export_row(work_order)).rompslomp_invoice_id == invoice["id"]
    assert (await shop.sandbox_stats())["invoice_posts"] == 1


async def test_a_duplicate_api_reference_refused_by_rompslomp_means_already_there(
    shop: Shop,
) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    # Someone (an earlier run whose row was lost) created it already.
    reference = mapping.api_reference(shop.tenant_id, work_order.id)
    await shop.invoice_made_elsewhere(reference)

    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    assert (await shop.export_row(work_order)).rompslomp_invoice_id == invoice["id"]


async def test_a_work_description_with_the_filter_word_is_skipped_and_logged(shop: Shop) -> None:
    work_order = await shop.work_order(description="Reparatie onder GARANTIE")
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "skipped"

    assert await shop.invoices() == []
    ((level, message, action),) = await log_lines(shop, work_order.id)
    assert level == "info"
    assert "filterwoord 'garantie'" in message
    assert action == "Geen actie nodig"


async def test_no_customer_fails_with_an_error_saying_what_to_do(shop: Shop) -> None:
    work_order = await shop.work_order(customer=False)
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "failed"

    assert await shop.invoices() == []
    ((level, message, action),) = await log_lines(shop, work_order.id)
    assert level == "error"
    assert message == (
        f"Werkbon {work_order.number} heeft geen klant: er is geen conceptfactuur gemaakt."
    )
    assert action.startswith("Kies een klant uit Rompslomp")
    assert "archiveer opnieuw" in action
    assert (await shop.export_row(work_order)).status == "failed"


async def test_a_customer_deleted_in_rompslomp_is_refused_and_fails_in_rompslomps_words(
    shop: Shop,
) -> None:
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/contacts/{shop.contact_id}")
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "failed"

    assert await shop.invoices() == []
    ((level, message, action),) = await log_lines(shop, work_order.id)
    assert (level, message) == (
        "error",
        f"Rompslomp weigerde de conceptfactuur voor werkbon {work_order.number}: "
        "Contact bestaat niet.",
    )
    assert "heropen de werkbon" in action


async def test_a_configured_product_gone_fails_with_a_settings_action(shop: Shop) -> None:
    work_id = shop.products["work"]["id"]
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/products/{work_id}")
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "failed"

    assert await shop.invoices() == []
    ((level, message, action),) = await log_lines(shop, work_order.id)
    assert level == "error"
    assert "Het product voor werktijd" in message
    assert "Instellingen" in action


async def test_an_article_deleted_in_rompslomp_fails(shop: Shop) -> None:
    knel = shop.products["knel"]["id"]
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/products/{knel}")
    work_order = await shop.work_order()

    assert await shop.export(await shop.archive(work_order)) == "failed"
    assert await shop.invoices() == []
    ((level, message, action),) = await log_lines(shop, work_order.id)
    assert level == "error"
    assert message == (
        f"Rompslomp weigerde de conceptfactuur voor werkbon {work_order.number}: "
        "Factuurregels product bestaat niet."
    )
    assert "verstuur de werkbon opnieuw" in action


async def test_an_article_without_a_vat_type_is_looked_up_and_found_gone(shop: Shop) -> None:
    knel = shop.products["knel"]["id"]
    await shop.sandbox.delete(f"/_sandbox/companies/{shop.company_id}/products/{knel}")
    await shop.session.execute(
        update(Article).where(Article.id == shop.articles[0]).values(vat_type_id=None)
    )
    work_order = await shop.work_order()

    assert await shop.export(await shop.archive(work_order)) == "failed"
    ((_, message, _),) = await log_lines(shop, work_order.id)
    assert "bestaat niet meer in Rompslomp" in message


async def test_settings_in_force_when_the_export_runs_apply(shop: Shop) -> None:
    work_order = await shop.work_order(description="Lekkage")
    event_id = await shop.archive(work_order)
    settings = await shop.settings()
    settings.description_as_first_line = False
    settings.travel_time_product = None
    await shop.session.commit()

    assert await shop.export(event_id) == "sent"

    (invoice,) = await shop.invoices()
    assert [line["description"] for line in invoice["invoice_lines"]] == [
        "Arbeid monteur",
        "Knelkoppeling 15 mm",
        "Thermostaatkraan",
    ]


async def test_an_inactive_integration_leaves_the_export_pending_until_activation(
    shop: Shop,
) -> None:
    integration = await shop.session.get(Integration, shop.tenant_id)
    assert integration is not None
    integration.state = IntegrationState.INACTIVE
    await shop.session.commit()
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)

    assert await shop.export(event_id) == "waiting"
    assert (await shop.export_row(work_order)).status == "pending"
    assert await shop.invoices() == []

    await activate(
        shop.session, await ensure_integration(shop.session, shop.tenant_id), first=False
    )
    await shop.session.commit()
    queued = await shop.session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'export.work_order_archived'"
            " AND status = 'todo' AND (args->>'event_id')::bigint = :event_id"
        ),
        {"event_id": event_id},
    )
    assert queued == 1
    assert await shop.export(event_id) == "sent"


async def test_a_failed_export_reopened_and_archived_again_is_sent_and_old_events_are_ignored(
    shop: Shop,
) -> None:
    work_order = await shop.work_order(customer=False)
    first = await shop.archive(work_order)
    assert await shop.export(first) == "failed"
    await shop.reopen(work_order)
    work_order.customer_id, work_order.work_address_id = shop.customer_id, shop.address_id
    second = await shop.archive(work_order)

    assert await shop.export(first) == "ignored"  # stale: a newer archive exists
    assert await shop.export(second) == "sent"
    assert await shop.export(first) == "ignored"

    (invoice,) = await shop.invoices()
    row = await shop.export_row(work_order)
    assert (row.archive_seq, row.event_id, row.rompslomp_invoice_id) == (2, second, invoice["id"])


async def test_an_administration_unknown_in_rompslomp_fails_without_sending(shop: Shop) -> None:
    work_order = await shop.work_order()
    event_id = await shop.archive(work_order)
    # A company that no longer exists for the settings: Rompslomp answers 404 on reads.
    settings = await shop.settings()
    settings.administration_id = 999_999_999
    await shop.session.commit()

    outcome = await shop.export(event_id)

    assert outcome == "failed"
    assert await shop.invoices() == []
    assert (await shop.export_row(work_order)).status == "failed"


async def test_an_ended_export_is_counted_and_its_latency_observed(shop: Shop) -> None:
    def sample(name: str, labels: dict[str, str] | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    sent_before = sample("simon_invoice_exports_finished_total", {"status": "sent"})
    failed_before = sample("simon_invoice_exports_finished_total", {"status": "failed"})
    latency_before = sample("simon_archive_to_invoice_seconds_count")

    assert await shop.export(await shop.archive(await shop.work_order())) == "sent"
    assert await shop.export(await shop.archive(await shop.work_order(customer=False))) == "failed"

    assert sample("simon_invoice_exports_finished_total", {"status": "sent"}) == sent_before + 1
    assert sample("simon_invoice_exports_finished_total", {"status": "failed"}) == failed_before + 1
    assert sample("simon_archive_to_invoice_seconds_count") == latency_before + 1


async def test_a_tenant_that_never_activated_gets_no_export_row(shop: Shop) -> None:
    integration = await shop.session.get(Integration, shop.tenant_id)
    assert integration is not None
    integration.state = IntegrationState.NEVER_ACTIVATED
    await shop.session.commit()
    work_order = await shop.work_order()

    assert await shop.export(await shop.archive(work_order)) == "ignored"

    found = await shop.session.scalar(
        text("SELECT count(*) FROM invoice_exports WHERE work_order_id = :id"),
        {"id": work_order.id},
    )
    assert found == 0  # simon_api lets the office reopen it


async def test_with_its_products_remembered_an_export_asks_rompslomp_only_to_post(
    shop: Shop,
) -> None:
    first = await shop.work_order()
    assert await shop.export(await shop.archive(first)) == "sent"  # reads the products
    second = await shop.work_order()
    event_id = await shop.archive(second)
    await shop.sandbox.post("/_sandbox/stats/reset")

    assert await shop.export(event_id) == "sent"

    stats = await shop.sandbox_stats()
    assert (stats["requests"], stats["invoice_posts"]) == (1, 1)
    row = await shop.export_row(second)
    assert (row.status, row.attempts, row.sending_since) == ("sent", 1, None)
