"""The fixed sets of values Simon stores: statuses, kinds, roles, levels.

Each set is one `StrEnum`, used by the ORM column (`enum_column`), the column's CHECK
constraint (`check_sql`), the pydantic schemas (so the OpenAPI `enum`s are these values)
and every comparison in the services. A member is its own value (`WorkOrderStatus.ARCHIVED
== "archived"`, also in f-strings and JSON), so plain strings read from the database or
sent by a client compare equal. The invoice export's status, with its transitions, is
`shared.export_status.ExportStatus`; procrastinate's job statuses are its own.

tests/shared/test_enums.py checks each CHECK constraint, in the models and in the migrated
database, against its enum; a migration writes the values it needs literally.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


class WorkOrderStatus(StrEnum):
    """created → planned (assignee + date) → completed → archived; `reopen` goes back one
    step (R-EXPORT-1)."""

    CREATED = "created"
    PLANNED = "planned"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class TimeEntryKind(StrEnum):
    WORK = "work"
    TRAVEL = "travel"


class Role(StrEnum):
    """An employee's role; the office manages, the field books hours and materials."""

    OFFICE = "office"
    FIELD = "field"


class RecordSource(StrEnum):
    """Where a customer, article or work address was made: led by Rompslomp once the
    integration is active, or Simon's own."""

    ROMPSLOMP = "rompslomp"
    SIMON = "simon"


class QuestionType(StrEnum):
    """The type of a form question; it decides how an answer is checked and stored."""

    TEXT = "text"
    NUMBER = "number"
    YES_NO = "yes_no"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"


class IntegrationState(StrEnum):
    """A tenant's integration; simon_api reads it (R-MASTER-3: Rompslomp leads customers
    and articles while `active`)."""

    NEVER_ACTIVATED = "never_activated"
    ACTIVE = "active"
    INACTIVE = "inactive"
    NEEDS_RECONNECT = "needs_reconnect"  # Rompslomp refused our tokens: connect again


class SyncEntity(StrEnum):
    """What the master-data sync imports from Rompslomp."""

    CUSTOMERS = "customers"
    ARTICLES = "articles"


class SyncTrigger(StrEnum):
    """Why a master-data sync run was queued."""

    INITIAL = "initial"  # the first activation
    RESUME = "resume"  # a re-activation
    MANUAL = "manual"  # "Nu synchroniseren"
    SCHEDULED = "scheduled"  # the full listing's cadence
    PROBE = "probe"  # the cheap probe saw Rompslomp's totals change
    SWITCH = "switch"  # the import of another administration


class SyncRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class LogLevel(StrEnum):
    """The level of a line in the integration log the office reads (R-LOG-1)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class LogTable(StrEnum):
    """What a line of the integration log is about."""

    WORK_ORDER = "work_order"
    CUSTOMER = "customer"
    WORK_ADDRESS = "work_address"
    ARTICLE = "article"
    ARTICLE_GROUP = "article_group"


def check_sql(column: str, values: type[StrEnum]) -> str:
    """`column IN ('a', 'b')`: the CHECK constraint that allows exactly the enum's values."""
    listed = ", ".join(f"'{value.value}'" for value in values)
    return f"{column} IN ({listed})"


def enum_column(values: type[StrEnum], length: int) -> Enum:
    """A VARCHAR(`length`) column read as the enum's members. The CHECK is declared apart
    (`check_sql`), named by our convention; the database type stays a plain VARCHAR, so
    adding a value is a change of that CHECK only."""
    return Enum(
        values,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
