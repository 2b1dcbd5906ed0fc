"""Tenant-scoped reads shared by the domain packages: another tenant's row is "not found"."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import IntegrationState
from shared.models import Integration
from shared.problems import Conflict, InvalidInput, NotFound

M = TypeVar("M")


async def get_owned(
    session: AsyncSession, model: type[M], tenant_id: int, row_id: int, *, label: str
) -> M:
    """The row `row_id` of `model` in this tenant, or 404 (also for another tenant's id)."""
    row = (
        await session.execute(
            select(model).where(
                model.id == row_id,  # type: ignore[attr-defined]
                model.tenant_id == tenant_id,  # type: ignore[attr-defined]
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{label} {row_id} does not exist.")
    return row


async def require_reference(
    session: AsyncSession, model: type[M], tenant_id: int, row_id: int, *, field: str, label: str
) -> M:
    """Like `get_owned`, for an id inside a request body: an unknown id is a 422 on `field`."""
    try:
        return await get_owned(session, model, tenant_id, row_id, label=label)
    except NotFound:
        raise InvalidInput(field, f"Unknown {label} {row_id}", code="unknown_reference") from None


async def is_referenced(session: AsyncSession, *conditions: Any) -> bool:
    return bool(await session.scalar(select(exists().where(*conditions))))


async def integration_is_active(session: AsyncSession, tenant_id: int) -> bool:
    state = await session.scalar(
        select(Integration.state).where(Integration.tenant_id == tenant_id)
    )
    return state == IntegrationState.ACTIVE


async def refuse_when_managed_by_rompslomp(
    session: AsyncSession, tenant_id: int, *, label: str
) -> None:
    """R-MASTER-3: while the integration is active, Rompslomp leads customers and articles."""
    if await integration_is_active(session, tenant_id):
        raise Conflict(
            f"{label} are managed in Rompslomp while the integration is active: "
            "create or change them there; Simon picks the change up.",
            code="managed_by_rompslomp",
        )


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
