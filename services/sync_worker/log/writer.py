"""Writing integration log entries (R-LOG-1): one row per step, in the caller's transaction.

Messages and actions are plain Dutch for office staff (R-LOG-3); they never hold tokens.
"""

from __future__ import annotations

from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import IntegrationLogEntry

NO_ACTION = "Geen actie nodig"
RECONNECT = "Koppel opnieuw met Rompslomp: Integraties → Rompslomp → Koppel."

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
        )
    )
    log.debug("integration.log.written", tenant_id=tenant_id, level=level, table=table)
