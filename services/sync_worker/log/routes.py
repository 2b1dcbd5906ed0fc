"""`GET /api/v1/integration/logs` (R-LOG-2): the integration log, by level and table."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.sync_worker.deps import OfficeDep, SessionDep
from services.sync_worker.integration.schemas import LogEntryOut, LogPage
from services.sync_worker.log import reader as log_reader
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/api/v1/integration", tags=["integration"], responses=PROBLEM_RESPONSES)
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")


@router.get("/logs", response_model=LogPage, responses=OFFICE_ONLY)
async def logs(
    session: SessionDep,
    office: OfficeDep,
    level: Literal["info", "warning", "error"] | None = None,
    table: Literal["work_order", "customer", "work_address", "article", "article_group"]
    | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 40,
) -> LogPage:
    rows, total = await log_reader.page(
        session, office.tenant_id, level=level, table=table, number=page, per_page=per_page
    )
    return LogPage(
        items=[
            LogEntryOut(
                at=r.at,
                level=r.level,
                table=r.table_name,
                message=r.message,
                action=r.action,
                work_order_id=r.work_order_id,
            )
            for r in rows
        ],
        page=page,
        per_page=per_page,
        total=total,
    )
