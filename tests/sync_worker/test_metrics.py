"""GET /metrics: Prometheus text with exports by status, the archive→invoice latency
histogram, sync runs and Rompslomp answers by status (429s apart)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.sync_worker.deps import SessionFactory
from services.sync_worker.metrics import count_response


async def test_metrics_exposes_the_product_series(
    client: httpx.AsyncClient, worker_app: FastAPI, sessions: SessionFactory
) -> None:
    worker_app.state.sessionmaker = sessions
    await count_response(httpx.Response(429))
    await count_response(httpx.Response(200))
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    for series in (
        'simon_invoice_exports{status="sent"}',
        'simon_invoice_exports{status="failed"}',
        "simon_archive_to_invoice_seconds_bucket",
        "simon_rompslomp_rate_limited_total",
        'simon_rompslomp_requests_total{status="429"}',
        'simon_rompslomp_requests_total{status="200"}',
    ):
        assert series in body, series
    assert "# TYPE simon_sync_runs_total counter" in body
