"""API keys of the tenant's employees (office only).

A key is shown once, when it is issued; afterwards only its prefix, when it was made and
when it was last used are shown. A revoked key, or a key of a deactivated employee, is
refused at once (authentication reads both on every request, shared/auth.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.simon_api.deps import OfficeDep, SessionDep
from services.simon_api.fields import PathId
from services.simon_api.lookups import get_owned
from shared.auth import hash_api_key, issue_api_key
from shared.clock import utcnow
from shared.models import ApiKey, Employee
from shared.problems import PROBLEM_RESPONSES, Conflict, Problem

router = APIRouter(tags=["api keys"], responses=PROBLEM_RESPONSES)

_OFFICE_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "`office_only`"}
}


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    employee_id: int
    prefix: str = Field(description="The key's first characters, to recognise it by.")
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="When the key was last used (kept to the minute)."
    )
    revoked_at: datetime | None


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]


class ApiKeyCreated(ApiKeyOut):
    api_key: str | None = Field(
        description="Shown once; only its hash is stored. null in a replay of this answer "
        "(the same Idempotency-Key): revoke that key and issue another."
    )


@router.get("/employees/{employee_id}/api-keys", response_model=ApiKeyList, responses=_OFFICE_ONLY)
async def list_api_keys(
    session: SessionDep, principal: OfficeDep, employee_id: PathId
) -> ApiKeyList:
    """The employee's keys, newest first, revoked ones included (an employee has a few)."""
    await get_owned(session, Employee, principal.tenant_id, employee_id, label="Employee")
    keys = await session.scalars(
        select(ApiKey)
        .where(ApiKey.tenant_id == principal.tenant_id, ApiKey.employee_id == employee_id)
        .order_by(ApiKey.id.desc())
    )
    return ApiKeyList(items=[ApiKeyOut.model_validate(key) for key in keys])


@router.post(
    "/employees/{employee_id}/api-keys",
    status_code=201,
    response_model=ApiKeyCreated,
    responses={
        **_OFFICE_ONLY,
        409: {"model": Problem, "description": "`employee_inactive`"},
    },
)
async def create_api_key(
    session: SessionDep, principal: OfficeDep, employee_id: PathId
) -> ApiKeyCreated:
    employee = await get_owned(
        session, Employee, principal.tenant_id, employee_id, label="Employee"
    )
    if not employee.active:
        raise Conflict(
            f"Employee {employee_id} is deactivated: activate the employee first.",
            code="employee_inactive",
        )
    key = await issue_api_key(session, employee)
    stored = await session.scalar(
        select(ApiKey)
        .where(ApiKey.key_hash == hash_api_key(key))
        .execution_options(populate_existing=True)
    )
    assert stored is not None
    created = ApiKeyCreated(**ApiKeyOut.model_validate(stored).model_dump(), api_key=key)
    await session.commit()
    return created


@router.delete(
    "/api-keys/{key_id}",
    status_code=204,
    response_class=Response,
    responses={**_OFFICE_ONLY, 409: {"model": Problem, "description": "`own_key`"}},
)
async def revoke_api_key(session: SessionDep, principal: OfficeDep, key_id: PathId) -> Response:
    """Revoke a key: refused from the next request on. Revoking a revoked key changes
    nothing (a retried DELETE answers 204 again). The key of the request itself is not
    revoked by it: that would lock the caller out mid-session; revoke it with another
    office key."""
    key = await get_owned(session, ApiKey, principal.tenant_id, key_id, label="API key")
    if key.id == principal.key_id:
        raise Conflict(
            "This is the key you are using: revoke it with another office key.", code="own_key"
        )
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.commit()
    return Response(status_code=204)
