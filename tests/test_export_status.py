"""The export status lives in one enum: the model's CHECK is generated from it, and the
migrated database's CHECK (written out literally in the migrations) says the same."""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.export_status import ExportStatus, check_sql
from shared.models import InvoiceExport


def test_the_models_check_constraint_is_generated_from_the_enum() -> None:
    (check,) = [
        c
        for c in InvoiceExport.__table__.constraints
        if isinstance(c, CheckConstraint) and c.name == "ck_invoice_exports_status"
    ]
    assert str(check.sqltext) == check_sql("status")
    assert check_sql("status") == (
        "status IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'skipped', 'removed')"
    )


async def test_the_migrated_check_constraint_allows_exactly_the_enums_values(
    session: AsyncSession,
) -> None:
    definition = await session.scalar(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conname = 'ck_invoice_exports_status'"
        )
    )
    assert definition is not None
    assert set(re.findall(r"'(\w+)'", definition)) == {status.value for status in ExportStatus}
