"""Fault injection (in process): rate limits, 5xx, timeouts, latency, drop-after-commit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.rompslomp_sandbox.support import bearer, invoice_body, mint


async def set_faults(client: httpx.AsyncClient, **faults: Any) -> dict[str, Any]:
    response = await client.put("/_sandbox/faults", json=faults)
    assert response.status_code == 200, response.text
    echoed: dict[str, Any] = response.json()
    return echoed


async def test_put_faults_echoes_the_configuration(client: httpx.AsyncClient) -> None:
    echoed = await set_faults(client, error_rate=0.5, rate_limit={"requests": 3, "per_seconds": 10})
    assert echoed["error_rate"] == 0.5
    assert echoed["rate_limit"] == {"requests": 3, "per_seconds": 10.0}
    assert echoed["timeout_seconds"] == 30.0


async def test_unknown_fault_field_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.put("/_sandbox/faults", json={"explode": True})
    assert response.status_code == 422


async def test_over_budget_answers_429_with_retry_after_in_whole_seconds(
    client: httpx.AsyncClient, company_id: int, auth: dict[str, str]
) -> None:
    await set_faults(client, rate_limit={"requests": 2, "per_seconds": 30})
    statuses = [(await client.get("/api/v1/companies", headers=auth)).status_code for _ in range(2)]
    limited = await client.get("/api/v1/companies", headers=auth)
    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert limited.json()["error"]["type"] == "client.rate_limit"


async def test_rate_limit_budget_is_per_access_token(
    client: httpx.AsyncClient, company_id: int, auth: dict[str, str]
) -> None:
    await set_faults(client, rate_limit={"requests": 1, "per_seconds": 30})
    other = bearer((await mint(client))["access_token"])
    await client.get("/api/v1/companies", headers=auth)
    assert (await client.get("/api/v1/companies", headers=auth)).status_code == 429
    assert (await client.get("/api/v1/companies", headers=other)).status_code == 200


async def test_deleting_faults_lifts_the_rate_limit(
    client: httpx.AsyncClient, company_id: int, auth: dict[str, str]
) -> None:
    await set_faults(client, rate_limit={"requests": 1, "per_seconds": 30})
    await client.get("/api/v1/companies", headers=auth)
    assert (await client.delete("/_sandbox/faults")).status_code == 204
    assert (await client.get("/api/v1/companies", headers=auth)).status_code == 200


async def test_error_rate_one_answers_5xx_in_the_reference_shape(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, error_rate=1.0, seed=7)
    response = await client.get("/api/v1/companies", headers=auth)
    assert response.status_code in (500, 502, 503)
    assert response.json()["error"]["type"] == "server"


async def test_error_rate_with_a_seed_is_reproducible(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async def run() -> list[int]:
        await set_faults(client, error_rate=0.5, seed=42)
        return [
            (await client.get("/api/v1/companies", headers=auth)).status_code for _ in range(20)
        ]

    first, second = await run(), await run()
    assert first == second
    assert 200 in first
    assert any(status >= 500 for status in first)


async def test_timeout_rate_hangs_then_answers_504(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, timeout_rate=1.0, timeout_seconds=0.01)
    response = await client.get("/api/v1/companies", headers=auth)
    assert response.status_code == 504


async def test_timeout_is_seen_as_a_client_timeout_when_the_client_gives_up_first(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, timeout_rate=1.0, timeout_seconds=30)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await client.get("/api/v1/companies", headers=auth)


async def test_faults_never_touch_the_control_plane_or_oauth(client: httpx.AsyncClient) -> None:
    await set_faults(client, error_rate=1.0, rate_limit={"requests": 1, "per_seconds": 60})
    for _ in range(3):
        assert (await client.get("/_sandbox/stats")).status_code == 200
    response = await client.post("/oauth/token", data={"grant_type": "refresh_token"})
    assert response.status_code == 401


async def test_latency_keeps_requests_concurrent_and_stats_count_them(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await set_faults(client, latency_ms=50)
    await client.post("/_sandbox/stats/reset")
    responses = await asyncio.gather(
        *(client.get("/api/v1/companies", headers=auth) for _ in range(5))
    )
    stats = (await client.get("/_sandbox/stats")).json()
    assert [r.status_code for r in responses] == [200] * 5
    assert stats["requests"] == 5
    assert stats["by_status"] == {"200": 5}
    assert stats["max_concurrency"] == 5


async def test_stats_reset_clears_the_counters(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await client.get("/api/v1/companies", headers=auth)
    await client.post("/_sandbox/stats/reset")
    stats = (await client.get("/_sandbox/stats")).json()
    assert (stats["requests"], stats["by_status"], stats["max_concurrency"]) == (0, {}, 0)


async def test_drop_after_commit_in_process_raises_a_transport_error_and_stores_the_invoice(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await set_faults(client, drop_after_commit_rate=1.0)
    body = invoice_body(contact_id, api_reference="WO-DROP-1")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(f"{base}/sales_invoices", json=body, headers=auth)
    dump = (await client.get(f"/_sandbox/companies/{company_id}/sales_invoices")).json()
    assert [i["api_reference"] for i in dump["sales_invoices"]] == ["WO-DROP-1"]


async def test_drop_after_commit_answers_normally_when_nothing_was_stored(
    client: httpx.AsyncClient, base: str, auth: dict[str, str]
) -> None:
    await set_faults(client, drop_after_commit_rate=1.0)
    response = await client.post(f"{base}/sales_invoices", json=invoice_body(999), headers=auth)
    assert response.status_code == 422


async def test_drop_after_commit_leaves_other_requests_alone(
    client: httpx.AsyncClient, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await set_faults(client, drop_after_commit_rate=1.0)
    response = await client.get(f"{base}/sales_invoices", headers=auth)
    assert response.status_code == 200


async def dump_references(client: httpx.AsyncClient, company_id: int) -> list[str]:
    dump = (await client.get(f"/_sandbox/companies/{company_id}/sales_invoices")).json()
    return [invoice["api_reference"] for invoice in dump["sales_invoices"]]


async def until_stored(client: httpx.AsyncClient, company_id: int, count: int) -> list[str]:
    """The dump once it holds `count` invoices (a late commit lands in the background)."""
    async with asyncio.timeout(30):
        while True:
            found = await dump_references(client, company_id)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)


async def test_late_commit_answers_503_at_once_and_stores_the_invoice_later(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    await set_faults(client, late_commit_rate=1.0, late_commit_seconds=0.05)

    response = await client.post(
        f"{base}/sales_invoices",
        json=invoice_body(contact_id, api_reference="WO-LATE-1"),
        headers=auth,
    )

    assert response.status_code == 503
    assert response.json()["error"]["type"] == "server"
    assert await until_stored(client, company_id, 1) == ["WO-LATE-1"]
    stats = (await client.get("/_sandbox/stats")).json()
    assert (stats["late_commits"], stats["invoice_posts"]) == (1, 1)


async def test_late_commit_skips_the_api_reference_check_like_a_racing_validation(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, api_reference="WO-RACE-1")
    await set_faults(client, late_commit_rate=1.0, late_commit_seconds=0.05)
    assert (await client.post(f"{base}/sales_invoices", json=body, headers=auth)).status_code == 503
    await client.delete("/_sandbox/faults")
    # Not there yet: a second POST with the same reference is accepted…
    assert (await client.post(f"{base}/sales_invoices", json=body, headers=auth)).status_code == 201

    # …and the late one lands beside it: two invoices, one api_reference.
    assert await until_stored(client, company_id, 2) == ["WO-RACE-1", "WO-RACE-1"]
    found = await client.get(
        f"{base}/sales_invoices", params={"search[api_reference]": "WO-RACE-1"}, headers=auth
    )
    assert len(found.json()["sales_invoices"]) == 2


async def test_a_reset_cancels_pending_late_commits(
    app: FastAPI,
    client: httpx.AsyncClient,
    company_id: int,
    base: str,
    auth: dict[str, str],
    contact_id: int,
) -> None:
    await set_faults(client, late_commit_rate=1.0, late_commit_seconds=3600)
    await client.post(f"{base}/sales_invoices", json=invoice_body(contact_id), headers=auth)
    faults = app.state.faults
    assert len(faults.late) == 1

    assert (await client.post("/_sandbox/reset")).status_code == 204

    assert not faults.late


@pytest.mark.parametrize("retry_after", ["3600", "inf", "-5", "soon"])
async def test_a_throttled_company_answers_429_with_the_chosen_retry_after(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], retry_after: str
) -> None:
    other = (await client.post("/_sandbox/companies", json={"name": "Ander B.V."})).json()
    await set_faults(client, throttle=[{"company_id": company_id, "retry_after": retry_after}])

    throttled = await client.get(f"{base}/contacts", headers=auth)
    free = await client.get(f"/api/v1/companies/{other['company']['id']}/contacts", headers=auth)

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == retry_after
    assert throttled.json()["error"]["type"] == "client.rate_limit"
    assert free.status_code == 200


async def test_lists_may_leave_api_reference_out_while_the_filter_still_works(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, api_reference="WO-ECHO-1")
    created = (await client.post(f"{base}/sales_invoices", json=body, headers=auth)).json()
    await set_faults(client, echo_api_reference=False)

    found = await client.get(
        f"{base}/sales_invoices", params={"search[api_reference]": "WO-ECHO-1"}, headers=auth
    )
    shown = await client.get(
        f"{base}/sales_invoices/{created['sales_invoice']['id']}", headers=auth
    )

    (item,) = found.json()["sales_invoices"]
    assert (item["id"], item["api_reference"]) == (created["sales_invoice"]["id"], None)
    assert shown.json()["sales_invoice"]["api_reference"] == "WO-ECHO-1"


async def test_an_invoice_deleted_as_the_office_would_is_gone_from_lists_and_show(
    client: httpx.AsyncClient, company_id: int, base: str, auth: dict[str, str], contact_id: int
) -> None:
    body = invoice_body(contact_id, api_reference="WO-GONE-1")
    invoice_id = (await client.post(f"{base}/sales_invoices", json=body, headers=auth)).json()[
        "sales_invoice"
    ]["id"]

    deleted = await client.delete(f"/_sandbox/companies/{company_id}/sales_invoices/{invoice_id}")

    assert deleted.status_code == 204
    assert (
        await client.get(f"{base}/sales_invoices/{invoice_id}", headers=auth)
    ).status_code == 404
    found = await client.get(
        f"{base}/sales_invoices", params={"search[api_reference]": "WO-GONE-1"}, headers=auth
    )
    assert found.json()["sales_invoices"] == []
    # The reference is free again (a new POST with it is accepted).
    assert (await client.post(f"{base}/sales_invoices", json=body, headers=auth)).status_code == 201
