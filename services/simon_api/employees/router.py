"""Employees and their API keys; only the office manages them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.simon_api.deps import OfficeDep, PrincipalDep, SessionDep
from services.simon_api.fields import Email, Name, Patch, PathId
from services.simon_api.lookups import get_owned, is_referenced
from services.simon_api.pagination import Page, PageParams, keyset, page_of, page_params
from shared.auth import issue_api_key
from shared.enums import Role
from shared.models import Employee
from shared.problems import PROBLEM_RESPONSES, Conflict, InvalidInput, Problem

router = APIRouter(prefix="/employees", tags=["employees"], responses=PROBLEM_RESPONSES)


class EmployeeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={
            "examples": [{"name": "Piet Monteur", "email": "piet@devries.nl", "role": "field"}]
        },
    )
    name: Name
    email: Email
    role: Role


class EmployeeUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re",
        json_schema_extra={"examples": [{"active": False}, {"role": "office"}]},
    )
    name: Patch[Name] = None
    email: Patch[Email] = None
    role: Patch[Role] = None
    active: Patch[StrictBool] = Field(
        default=None, description="false: the employee's keys stop working at once."
    )


class EmployeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str
    role: Role
    active: bool


class EmployeeCreated(EmployeeOut):
    api_key: str | None = Field(
        description="Shown once; only its hash is stored. null in a replay of this answer "
        "(the same Idempotency-Key): issue a new key for the employee."
    )


@router.get("", response_model=Page[EmployeeOut])
async def list_employees(
    session: SessionDep,
    principal: PrincipalDep,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[EmployeeOut]:
    statement = select(Employee).where(Employee.tenant_id == principal.tenant_id)
    rows = list((await session.scalars(keyset(statement, Employee.id, params))).all())
    items, cursor = page_of(rows, params, lambda e: e.id)
    return Page(items=[EmployeeOut.model_validate(e) for e in items], next_cursor=cursor)


@router.get("/{employee_id}", response_model=EmployeeOut)
async def get_employee(
    session: SessionDep, principal: PrincipalDep, employee_id: PathId
) -> EmployeeOut:
    employee = await get_owned(
        session, Employee, principal.tenant_id, employee_id, label="Employee"
    )
    return EmployeeOut.model_validate(employee)


@router.post(
    "",
    status_code=201,
    response_model=EmployeeCreated,
    responses={
        403: {"model": Problem, "description": "`office_only`"},
        409: {"model": Problem, "description": "`email_taken`"},
    },
)
async def create_employee(
    session: SessionDep, principal: OfficeDep, body: EmployeeCreate
) -> EmployeeCreated:
    if await is_referenced(
        session, Employee.tenant_id == principal.tenant_id, Employee.email == body.email
    ):
        raise Conflict(f"An employee with e-mail {body.email} exists.", code="email_taken")
    employee = Employee(tenant_id=principal.tenant_id, active=True, **body.model_dump())
    session.add(employee)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            f"An employee with e-mail {body.email} exists.", code="email_taken"
        ) from None
    key = await issue_api_key(session, employee)
    await session.commit()
    return EmployeeCreated(**EmployeeOut.model_validate(employee).model_dump(), api_key=key)


@router.patch(
    "/{employee_id}",
    response_model=EmployeeOut,
    responses={
        403: {"model": Problem, "description": "`office_only`"},
        409: {"model": Problem, "description": "`email_taken`, `own_account`"},
    },
)
async def update_employee(
    session: SessionDep, principal: OfficeDep, employee_id: PathId, body: EmployeeUpdate
) -> EmployeeOut:
    employee = await get_owned(
        session, Employee, principal.tenant_id, employee_id, label="Employee"
    )
    changes = body.model_dump(exclude_unset=True)
    for field in ("name", "email", "role", "active"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "May not be null")
    locks_out = changes.get("active") is False or changes.get("role", Role.OFFICE) != Role.OFFICE
    if employee.id == principal.employee_id and locks_out:
        # An office employee who deactivates or demotes themself could lock the company
        # out of managing its keys; another office employee must do it.
        raise Conflict(
            "You cannot deactivate yourself or take away your own office role.",
            code="own_account",
        )
    if (
        "email" in changes
        and changes["email"] != employee.email
        and await is_referenced(
            session, Employee.tenant_id == principal.tenant_id, Employee.email == changes["email"]
        )
    ):
        raise Conflict(f"An employee with e-mail {changes['email']} exists.", code="email_taken")
    for field, value in changes.items():
        setattr(employee, field, value)
    await session.commit()
    return EmployeeOut.model_validate(employee)
