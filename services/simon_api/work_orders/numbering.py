"""Readable work order numbers per tenant and year: `2026-00042`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import today_in_amsterdam

_NEXT = text(
    """
    INSERT INTO work_order_counters (tenant_id, year, last_number) VALUES (:tenant_id, :year, 1)
    ON CONFLICT (tenant_id, year)
    DO UPDATE SET last_number = work_order_counters.last_number + 1
    RETURNING last_number
    """
)


async def next_number(session: AsyncSession, tenant_id: int) -> str:
    """The counter row is locked until the caller commits, so numbers never repeat."""
    year = today_in_amsterdam().year
    number = (await session.execute(_NEXT, {"tenant_id": tenant_id, "year": year})).scalar_one()
    return f"{year}-{number:05d}"
