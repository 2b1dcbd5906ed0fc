"""API keys: generated once, stored as SHA-256 only, resolved to a tenant-bound principal."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.models import ApiKey, Employee, Tenant
from shared.problems import Unauthorized
from shared.reader import Reader

KEY_PREFIX = "sim_"


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: int
    employee_id: int
    role: str

    @property
    def is_office(self) -> bool:
        return self.role == "office"


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
AUTHENTICATE_SQL = (
    "SELECT k.tenant_id, k.employee_id, e.role FROM api_keys k "
    "JOIN employees e ON e.id = k.employee_id "
    "WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND e.active"
)


async def authenticate(reader: Reader, key: str) -> Principal | None:
    row = await reader.fetchrow(AUTHENTICATE_SQL, hash_api_key(key))
    if row is None:
        return None
    return Principal(tenant_id=row[0], employee_id=row[1], role=row[2])


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
        role="office",
    )
    session.add(employee)
    await session.flush()
    key = await issue_api_key(session, employee)
    return tenant, employee, key
