"""A tenant's employee and the API key that acts for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TenantKey:
    tenant_id: int
    employee_id: int
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}
