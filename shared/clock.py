"""Time (DESIGN D9): timezone-aware UTC stored; Europe/Amsterdam for dates users see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in_amsterdam() -> date:
    return utcnow().astimezone(AMSTERDAM).date()
