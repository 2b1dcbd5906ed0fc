"""Write an event in the caller's transaction and wake listeners on commit (DESIGN D2)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Text, bindparam, cast, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.outbox import OutboxEvent

NOTIFY_CHANNEL = "outbox_events"

# The insert and its notification in one statement (one round trip of the archive's
# transaction, and no unit of work), built once.
_INSERTED = (
    insert(OutboxEvent)
    .values(
        tenant_id=bindparam("tenant_id"),
        event_type=bindparam("event_type"),
        version=bindparam("version"),
        aggregate_id=bindparam("aggregate_id"),
        payload=bindparam("payload", type_=OutboxEvent.__table__.c.payload.type),
    )
    .returning(OutboxEvent.id)
    .cte("inserted")
)
_PUBLISH = select(_INSERTED.c.id, func.pg_notify(NOTIFY_CHANNEL, cast(_INSERTED.c.id, Text)))


async def publish(
    session: AsyncSession,
    *,
    tenant_id: int,
    event_type: str,
    aggregate_id: int,
    payload: BaseModel,
    version: int = 1,
) -> int:
    """Insert the event; its id. `pg_notify` is transactional, so listeners hear of it only
    if the caller's transaction commits, and a rollback leaves neither event nor
    notification."""
    row = (
        await session.execute(
            _PUBLISH,
            {
                "tenant_id": tenant_id,
                "event_type": event_type,
                "version": version,
                "aggregate_id": aggregate_id,
                "payload": payload.model_dump(mode="json"),
            },
        )
    ).one()
    return int(row.id)
