"""When a tenant's entity is due for a probe or a full listing (DESIGN D4), a pure rule.

Rompslomp has no change feed: a probe (one `per_page=1` request reading `X-Total`) every
`sync_probe_minutes` catches additions and deletions; a full listing (diff + deletions)
runs at most every max(`sync_full_min_minutes`, pages × `sync_full_minutes_per_page`)
minutes, so a large administration costs about one request a minute on average, and at
least every `sync_full_max_hours`, which makes the reconciliation at least daily.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.sync_worker.rompslomp.paging import MAX_PER_PAGE
from services.sync_worker.settings import SyncWorkerSettings

Due = Literal["full", "probe"]


@dataclass(frozen=True)
class EntityClock:
    busy: bool  # a run is queued or running
    last_full: datetime | None  # the last full run's end (finished or failed)
    listed_total: int | None  # X-Total of the last complete listing
    probed_at: datetime | None


def full_interval(total: int | None, settings: SyncWorkerSettings) -> timedelta:
    pages = max(1, math.ceil((total or 0) / MAX_PER_PAGE))
    minutes = max(settings.sync_full_min_minutes, pages * settings.sync_full_minutes_per_page)
    return timedelta(minutes=min(minutes, settings.sync_full_max_hours * 60))


def due(clock: EntityClock, now: datetime, settings: SyncWorkerSettings) -> Due | None:
    if clock.busy:
        return None
    if clock.last_full is None or now - clock.last_full >= full_interval(
        clock.listed_total, settings
    ):
        return "full"
    probe_every = timedelta(minutes=settings.sync_probe_minutes)
    if clock.probed_at is None or now - clock.probed_at >= probe_every:
        return "probe"
    return None
