"""Write an event in the caller's transaction and wake listeners on commit (DESIGN D2)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.outbox import OutboxEvent

NOTIFY_CHANNEL = "outbox_events"


async def publish(
    session: AsyncSession,
    *,
    tenant_id: int,
    event_type: str,
    aggregate_id: int,
    payload: BaseModel,
    version: int = 1,
) -> OutboxEvent:
    """Insert the event; `pg_notify` is transactional, so listeners hear of it only if the
    caller's transaction commits, and a rollback leaves neither event nor notification."""
    event = OutboxEvent(
        tenant_id=tenant_id,
        event_type=event_type,
        version=version,
        aggregate_id=aggregate_id,
        payload=payload.model_dump(mode="json"),
    )
    session.add(event)
    await session.flush()
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, str(event.id))))
    return event
