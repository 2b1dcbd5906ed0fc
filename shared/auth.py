"""API keys: generated once, stored as SHA-256 only, resolved to a tenant-bound principal."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import Role
from shared.models.tenants import ApiKey, Employee, Tenant
from shared.problems import Unauthorized
from shared.reader import Reader

KEY_PREFIX = "sim_"


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: int
    employee_id: int
    role: Role
    key_id: int = 0

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE


def hash_api_key(key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


async def issue_api_key(session: AsyncSession, employee: Employee) -> str:
    """Create a key for `employee`; returns the plain key, which is never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            tenant_id=employee.tenant_id,
            employee_id=employee.id,
            key_hash=hash_api_key(key),
            prefix=key[:10],
        )
    )
    await session.flush()
    return key


# Runs on every request, through a Reader (shared/reader.py): plain SQL, `$n` parameters.
# A revoked key, or a key of a deactivated employee, finds nothing: refused at once.
# `touch_due` says whether `last_used_at` is due (unset, or over a minute old).
# The check is a CTE named `principal` (parameter $1, the key's hash), so that a hot read
# can authenticate in its own statement: `PRINCIPAL_CTE + " SELECT " + PRINCIPAL_COLUMNS +
# ", … FROM principal …"`, one round trip instead of two (the list of work orders does).
PRINCIPAL_CTE = (
    "WITH principal AS (SELECT k.tenant_id, k.employee_id, e.role, k.id AS key_id, "
    "k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' AS touch_due "
    "FROM api_keys k JOIN employees e ON e.id = k.employee_id "
    "WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND e.active)"
)
# The first five columns of such a statement; `principal_of()` reads them.
PRINCIPAL_COLUMNS = (
    "principal.tenant_id, principal.employee_id, principal.role, principal.key_id, "
    "principal.touch_due"
)
AUTHENTICATE_SQL = f"{PRINCIPAL_CTE} SELECT {PRINCIPAL_COLUMNS} FROM principal"  # noqa: S608 - constant SQL, no input
# At most once a minute per key, so a busy key costs one write a minute, not one a request;
# the condition is repeated so that concurrent requests write once.
TOUCH_SQL = (
    "UPDATE api_keys SET last_used_at = now() WHERE id = $1 "
    "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') RETURNING id"
)


async def principal_of(reader: Reader, row: Sequence[Any]) -> Principal:
    """The principal in the first five columns of a row of a `PRINCIPAL_CTE` statement;
    records the key's use when due."""
    if row[4]:
        await reader.fetchrow(TOUCH_SQL, row[3])
    return Principal(tenant_id=row[0], employee_id=row[1], role=Role(row[2]), key_id=row[3])


async def authenticate(reader: Reader, key: str) -> Principal | None:
    row = await reader.fetchrow(AUTHENTICATE_SQL, hash_api_key(key))
    return None if row is None else await principal_of(reader, row)


async def require_principal(reader: Reader, key: str | None) -> Principal:
    """The principal of a bearer key, or 401: the one rule both services authenticate by."""
    if key is None:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    principal = await authenticate(reader, key)
    if principal is None:
        raise Unauthorized("The API key is unknown or revoked.")
    return principal


async def create_tenant(
    session: AsyncSession, name: str, *, office_name: str = "Kantoor", office_email: str = ""
) -> tuple[Tenant, Employee, str]:
    """A tenant with one office employee and that employee's key (Bootstrap)."""
    tenant = Tenant(name=name)
    session.add(tenant)
    await session.flush()
    employee = Employee(
        tenant_id=tenant.id,
        name=office_name,
        email=office_email or f"kantoor+{tenant.id}@example.nl",
        role=Role.OFFICE,
    )
    session.add(employee)
    await session.flush()
    key = await issue_api_key(session, employee)
    return tenant, employee, key
