"""Prometheus metrics of the sync worker (`GET /metrics`).

Process-local counters and histograms (each replica is scraped on its own, as Prometheus
expects), plus gauges read from the database at scrape time (exports by status), which are
the same on every replica.

Every name is here so the code that counts imports one module:
- `EXPORT_LATENCY`: seconds from the archive (the event's `occurred_at`) to the concept
  invoice created in Rompslomp; observed once per export that reached `sent`;
- `EXPORTS_FINISHED`: exports that ended, by status (`sent|failed|skipped`);
- `SYNC_RUNS`: master-data sync runs that ended, by entity and status;
- `SYNC_ROWS`: rows written by syncs, by entity and change (`added|changed|deactivated|removed`);
- `ROMPSLOMP_REQUESTS`: every HTTP answer from Rompslomp, by status code (a response hook
  on the process's one httpx client counts them; transport errors count as `error`);
- `ROMPSLOMP_RATE_LIMITED`: 429 answers (also in `ROMPSLOMP_REQUESTS`, kept apart for alerts);
- `EXPORTS_BY_STATUS`: export rows by status, read from the database per scrape;
- `JOBS_WORKER_UP`, `OUTBOX_RELAY_UP`: 1 while this process's job worker / outbox relay
  runs (jobs/worker.py supervises both; 0 while one is stopped or RUN_JOBS=false);
- `OUTBOX_UNRELAYED`, `OUTBOX_OLDEST_UNRELAYED_SECONDS`: archive events not yet turned
  into jobs and the age of the oldest, read from the database per scrape (a growing age
  means no relay runs anywhere).
"""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

EXPORT_LATENCY = Histogram(
    "simon_archive_to_invoice_seconds",
    "Seconds from archiving a work order to its concept invoice existing in Rompslomp.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
    registry=REGISTRY,
)
EXPORTS_FINISHED = Counter(
    "simon_invoice_exports_finished_total",
    "Exports that reached a final status in this process.",
    ["status"],
    registry=REGISTRY,
)
EXPORTS_BY_STATUS = Gauge(
    "simon_invoice_exports",
    "Export rows by status (all tenants), read from the database.",
    ["status"],
    registry=REGISTRY,
)
SYNC_RUNS = Counter(
    "simon_sync_runs_total",
    "Master-data sync runs that ended in this process.",
    ["entity", "status"],
    registry=REGISTRY,
)
SYNC_ROWS = Counter(
    "simon_sync_rows_total",
    "Rows a master-data sync wrote, by entity and kind of change.",
    ["entity", "change"],
    registry=REGISTRY,
)
ROMPSLOMP_REQUESTS = Counter(
    "simon_rompslomp_requests_total",
    "Answers from Rompslomp by HTTP status ('error': no answer).",
    ["status"],
    registry=REGISTRY,
)
ROMPSLOMP_RATE_LIMITED = Counter(
    "simon_rompslomp_rate_limited_total",
    "429 Too Many Requests answers from Rompslomp.",
    registry=REGISTRY,
)


async def count_response(response: httpx.Response) -> None:
    """httpx response hook for the Rompslomp client."""
    ROMPSLOMP_REQUESTS.labels(status=str(response.status_code)).inc()
    if response.status_code == 429:
        ROMPSLOMP_RATE_LIMITED.inc()
JOBS_WORKER_UP = Gauge(
    "jobs_worker_up",
    "1 while this process's job worker (procrastinate) runs.",
    registry=REGISTRY,
)
OUTBOX_RELAY_UP = Gauge(
    "outbox_relay_up",
    "1 while this process's outbox relay runs.",
    registry=REGISTRY,
)
OUTBOX_UNRELAYED = Gauge(
    "outbox_unrelayed",
    "Outbox events not yet relayed into jobs (all tenants), read from the database.",
    registry=REGISTRY,
)
OUTBOX_OLDEST_UNRELAYED_SECONDS = Gauge(
    "outbox_oldest_unrelayed_seconds",
    "Age of the oldest outbox event not yet relayed (0 when none), read from the database.",
    registry=REGISTRY,
)
