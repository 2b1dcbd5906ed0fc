"""Writing integration log entries (R-LOG-1): one row per step, in the caller's transaction.

Messages and actions are plain Dutch for office staff (R-LOG-3); they never hold tokens.
Give the English text too (`message_en`, `action_en`): `GET /logs` answers in English to
`Accept-Language: en` and falls back to the Dutch text where no English was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import orjson
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import LogLevel, LogTable
from shared.models.integration_setup import IntegrationLogEntry

NO_ACTION = "Geen actie nodig"
NO_ACTION_EN = "No action needed"
RECONNECT = "Koppel opnieuw met Rompslomp: Integraties → Rompslomp → Koppel."
RECONNECT_EN = "Connect to Rompslomp again: Integrations → Rompslomp → Connect."

log = structlog.get_logger("services.sync_worker.log")


def write(
    session: AsyncSession,
    tenant_id: int,
    *,
    level: LogLevel,
    message: str,
    action: str = NO_ACTION,
    table: LogTable | None = None,
    work_order_id: int | None = None,
    message_en: str | None = None,
    action_en: str | None = None,
    subject: str | None = None,
) -> None:
    """Add an entry; it is stored when the caller commits (with the change it describes)."""
    session.add(
        IntegrationLogEntry(
            tenant_id=tenant_id,
            level=level,
            table_name=table,
            message=message,
            action=action,
            work_order_id=work_order_id,
            message_en=message_en,
            action_en=action_en if action_en is not None else _default_action_en(action),
            subject=subject,
        )
    )
    log.debug("integration.log.written", tenant_id=tenant_id, level=level, table=table)


@dataclass(frozen=True)
class Entry:
    """One line for `write_many`."""

    level: LogLevel
    message: str
    action: str = NO_ACTION
    message_en: str | None = None
    action_en: str | None = None
    table_name: LogTable | None = None
    subject: str | None = None  # the record code or work order number, for `?q=`
    work_order_id: int | None = None


# The lines travel as one JSON parameter; a plain function scan keeps their order, so the
# ids (the log's order) follow it.
_INSERT_MANY = text(
    """
    INSERT INTO integration_log (tenant_id, level, table_name, message, action, message_en,
                                 action_en, subject, work_order_id)
    SELECT :tenant_id, r.level, r.table_name, r.message, r.action, r.message_en, r.action_en,
           r.subject, r.work_order_id
    FROM json_to_recordset(CAST(:rows AS json)) AS r(
        level text, table_name text, message text, action text, message_en text,
        action_en text, subject text, work_order_id bigint)
    """
)


async def write_many(session: AsyncSession, tenant_id: int, entries: Sequence[Entry]) -> None:
    """Store many entries in one statement (a sync run's lines: one per record it changed)."""
    if not entries:
        return
    rows = [
        {
            **asdict(entry),
            "action_en": entry.action_en
            if entry.action_en is not None
            else _default_action_en(entry.action),
        }
        for entry in entries
    ]
    await session.execute(
        _INSERT_MANY, {"tenant_id": tenant_id, "rows": orjson.dumps(rows).decode()}
    )
    log.debug("integration.log.written", tenant_id=tenant_id, lines=len(entries))


def _default_action_en(action: str) -> str | None:
    return {NO_ACTION: NO_ACTION_EN, RECONNECT: RECONNECT_EN}.get(action)
