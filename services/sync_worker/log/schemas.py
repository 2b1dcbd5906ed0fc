"""The integration log's page as `GET /api/v1/integration/logs` answers it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LogEntryOut(BaseModel):
    at: datetime
    level: str
    table: str | None
    message: str
    action: str
    work_order_id: int | None
    work_order_number: str | None = None


class LogPage(BaseModel):
    items: list[LogEntryOut]
    page: int
    per_page: int
    total: int
