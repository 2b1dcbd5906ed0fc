"""Writing integration log entries (R-LOG-1): one row per step, in the caller's transaction.

Messages and actions are plain Dutch for office staff (R-LOG-3); they never hold tokens.
Give the English text too (`message_en`, `action_en`): `GET /logs` answers in English to
`Accept-Language: en` and falls back to the Dutch text where no English was written.
"""

from __future__ import annotations

from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import IntegrationLogEntry

NO_ACTION = "Geen actie nodig"
NO_ACTION_EN = "No action needed"
RECONNECT = "Koppel opnieuw met Rompslomp: Integraties → Rompslomp → Koppel."
RECONNECT_EN = "Connect to Rompslomp again: Integrations → Rompslomp → Connect."

Level = Literal["info", "warning", "error"]
Table = Literal["work_order", "customer", "work_address", "article", "article_group"]

log = structlog.get_logger("services.sync_worker.log")


def write(
    session: AsyncSession,
    tenant_id: int,
    *,
    level: Level,
    message: str,
    action: str = NO_ACTION,
    table: Table | None = None,
    work_order_id: int | None = None,
    message_en: str | None = None,
    action_en: str | None = None,
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
        )
    )
    log.debug("integration.log.written", tenant_id=tenant_id, level=level, table=table)


def _default_action_en(action: str) -> str | None:
    return {NO_ACTION: NO_ACTION_EN, RECONNECT: RECONNECT_EN}.get(action)
