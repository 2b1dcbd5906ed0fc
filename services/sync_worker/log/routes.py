"""`GET /api/v1/integration/logs` (R-LOG-2): the integration log, by levels, table and
what a line is about.

`level=warning,error` takes several levels; `q=` a record code (customer number, article
code) or a work order number. Newest first, 40 per page, with the total. Dutch by default
(R-LOG-3); English when the caller prefers it (`Accept-Language: en`), falling back to
Dutch for entries written without an English text.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Query

from services.sync_worker.deps import OfficeDep, SessionDep
from services.sync_worker.log import reader as log_reader
from services.sync_worker.log.schemas import LogEntryOut, LogPage
from shared.enums import LogLevel, LogTable
from shared.problems import PROBLEM_RESPONSES, InvalidInput, documented
from shared.work_order_reads import work_order_numbers

_LEVEL = f"({'|'.join(LogLevel)})"
LEVELS_PATTERN = f"^{_LEVEL}(,{_LEVEL})*$"
# A page far beyond any log (40 a page) is still answered (empty); one beyond this is a 422.
MAX_PAGE = 1_000_000

router = APIRouter(prefix="/api/v1/integration", tags=["integration"], responses=PROBLEM_RESPONSES)
OFFICE_ONLY = documented(403, "`office_only`: a field employee's key")


@router.get("/logs", response_model=LogPage, responses=OFFICE_ONLY)
async def logs(
    session: SessionDep,
    office: OfficeDep,
    level: Annotated[
        str | None,
        Query(
            description="One level or several, comma-separated: `info`, `warning`, `error`",
            examples=["warning,error"],
            # Documented here, checked by parse_levels (a 422 on `level` in words).
            json_schema_extra={"pattern": LEVELS_PATTERN},
        ),
    ] = None,
    table: LogTable | None = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[^\x00]*$",
            description="A record code (customer number, article code) or work order number",
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 40,
    accept_language: Annotated[str | None, Header()] = None,
) -> LogPage:
    english = prefers_english(accept_language)
    rows, total = await log_reader.page(
        session,
        office.tenant_id,
        levels=parse_levels(level),
        table=table,
        q=q,
        number=page,
        per_page=per_page,
    )
    numbers = await work_order_numbers(
        session, office.tenant_id, {r.work_order_id for r in rows if r.work_order_id}
    )
    return LogPage(
        items=[
            LogEntryOut(
                at=r.at,
                level=r.level,
                table=r.table_name,
                message=(r.message_en or r.message) if english else r.message,
                action=(r.action_en or r.action) if english else r.action,
                work_order_id=r.work_order_id,
                work_order_number=numbers.get(r.work_order_id) if r.work_order_id else None,
            )
            for r in rows
        ],
        page=page,
        per_page=per_page,
        total=total,
    )


def parse_levels(value: str | None) -> list[LogLevel]:
    """`warning,error` → ["warning", "error"]; anything else is a 422 on `level`."""
    if value is None:
        return []
    levels = [part.strip() for part in value.split(",")]
    unknown = [part for part in levels if part not in set(LogLevel)]
    if unknown or re.search(LEVELS_PATTERN, value) is None:
        raise InvalidInput(
            "level",
            f"Onbekend niveau: {', '.join(unknown) or 'leeg'}. Kies uit {', '.join(LogLevel)}.",
        )
    return [LogLevel(part) for part in levels]


def prefers_english(accept_language: str | None) -> bool:
    """True when English ranks above Dutch in an `Accept-Language` header (RFC 9110 q-values);
    Dutch when the header is absent or names neither."""
    best: dict[str, float] = {}
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if language in ("en", "nl"):
            best[language] = max(best.get(language, 0.0), quality)
    return best.get("en", 0.0) > best.get("nl", 0.0)
