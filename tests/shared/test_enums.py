"""Every fixed set of values lives in one StrEnum: each model's CHECK constraint is generated
from it, and the migrated database's CHECK (written out literally in the migrations) says
the same."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from sqlalchemy import CheckConstraint, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Base
from shared.enums import (
    IntegrationState,
    LogLevel,
    LogTable,
    RecordSource,
    Role,
    SyncEntity,
    SyncRunStatus,
    SyncTrigger,
    TimeEntryKind,
    WorkOrderStatus,
    check_sql,
)
from shared.export_status import ExportStatus

# (table, column, enum): the constraint is `ck_<table>_<column>`.
CHECKED: list[tuple[str, str, type[StrEnum]]] = [
    ("work_orders", "status", WorkOrderStatus),
    ("time_entries", "kind", TimeEntryKind),
    ("employees", "role", Role),
    ("customers", "source", RecordSource),
    ("articles", "source", RecordSource),
    ("work_addresses", "source", RecordSource),
    ("integrations", "state", IntegrationState),
    ("invoice_exports", "status", ExportStatus),
    ("sync_runs", "entity", SyncEntity),
    ("sync_runs", "trigger", SyncTrigger),
    ("sync_runs", "status", SyncRunStatus),
    ("sync_states", "entity", SyncEntity),
    ("integration_log", "level", LogLevel),
    ("integration_log", "table_name", LogTable),
]
IDS = [f"{table}.{column}" for table, column, _ in CHECKED]


def _model_check(table: str, column: str) -> CheckConstraint:
    (check,) = [
        c
        for c in Base.metadata.tables[table].constraints
        if isinstance(c, CheckConstraint) and c.name == f"ck_{table}_{column}"
    ]
    return check


@pytest.mark.parametrize(("table", "column", "values"), CHECKED, ids=IDS)
def test_the_models_check_constraint_is_generated_from_the_enum(
    table: str, column: str, values: type[StrEnum]
) -> None:
    assert str(_model_check(table, column).sqltext) == check_sql(column, values)


@pytest.mark.parametrize(("table", "column", "values"), CHECKED, ids=IDS)
async def test_the_migrated_check_constraint_allows_exactly_the_enums_values(
    session: AsyncSession, table: str, column: str, values: type[StrEnum]
) -> None:
    definition = await session.scalar(
        text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"),
        {"name": f"ck_{table}_{column}"},
    )
    assert definition is not None
    assert set(re.findall(r"'(\w+)'", definition)) == {value.value for value in values}


def test_every_list_of_allowed_values_in_the_models_is_an_enums() -> None:
    """A CHECK of the `column IN (...)` kind that is not in CHECKED would be a set of values
    kept outside an enum."""
    listed = {
        (table.name, check.name)
        for table in Base.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, CheckConstraint) and " IN (" in str(check.sqltext)
    }
    assert listed == {(table, f"ck_{table}_{column}") for table, column, _ in CHECKED}


def test_check_sql_lists_the_values_in_their_order() -> None:
    assert check_sql("status", ExportStatus) == (
        "status IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'skipped', 'removed')"
    )


def test_a_member_is_its_value_in_comparisons_text_and_json() -> None:
    import json

    # mypy holds a member and a str literal never equal; at run time they are, which is the point.
    assert WorkOrderStatus.ARCHIVED == "archived"  # type: ignore[comparison-overlap]
    assert f"{WorkOrderStatus.ARCHIVED}" == "archived"
    assert json.dumps({"status": WorkOrderStatus.ARCHIVED}) == '{"status": "archived"}'
