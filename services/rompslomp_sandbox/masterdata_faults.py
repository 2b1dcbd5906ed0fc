"""Master-data faults: what a real Rompslomp can hand a sync that the API never validates
for us (see the README's "Master-data faults").

- **Raw values**: the control plane stores a record's fields as given, unvalidated, and the
  API renders them over the record (a price of 99999999999.00, an id beyond int64, a name
  of 10,000 characters, a NUL, a price that is not a number…).
- **Churn between pages**: after a chosen page of a listing has been served, one record on
  an earlier page is deleted and one is added at the end, as happens when someone works in
  Rompslomp while Simon reads; `X-Total` stays the same, yet the next page starts one
  record later, so one record is never listed.

State lives beside the sandbox's own (`app.state.masterdata_faults`) and is cleared by
`POST /_sandbox/reset`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from .auth import get_state
from .errors import JSONResponse, not_found
from .state import Company

Resource = Literal["contacts", "products"]
router = APIRouter(prefix="/_sandbox")


class Churn(BaseModel):
    """After page `after_page` of a `resource` listing: delete one record of an earlier
    page (`delete_id`, default the first record) and add `add` (default a new record)."""

    model_config = ConfigDict(extra="forbid")

    resource: Resource = "contacts"
    after_page: int = Field(default=1, ge=1)
    delete_id: int | None = None
    add: dict[str, Any] = Field(default_factory=dict)


@dataclass
class MasterDataFaults:
    # (company id, resource, record id) → the raw fields rendered over the record
    raw: dict[tuple[int, str, int], dict[str, Any]] = field(default_factory=dict)
    churn: dict[tuple[int, str], Churn] = field(default_factory=dict)

    def clear(self) -> None:
        self.raw.clear()
        self.churn.clear()


def faults_of(request: Request) -> MasterDataFaults:
    faults: MasterDataFaults = request.app.state.masterdata_faults
    return faults


def raw_aware(
    request: Request,
    company: Company,
    resource: Resource,
    render: Callable[[Any], dict[str, Any]],
) -> Callable[[Any], dict[str, Any]]:
    """`render` with the stored raw fields laid over it (one level deep for objects)."""
    raw = faults_of(request).raw
    if not raw:
        return render

    def rendered(record: Any) -> dict[str, Any]:
        body = render(record)
        override = raw.get((company.id, resource, record.id))
        if override is None:
            return body
        merged = dict(body)
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(body.get(key), dict):
                merged[key] = {**body[key], **value}
            else:
                merged[key] = value
        return merged

    return rendered


def after_page(
    request: Request,
    company: Company,
    resource: Resource,
    page: int,
    add: Callable[[dict[str, Any]], Any],
    delete: Callable[[int], Any],
) -> None:
    """Carry out an armed churn once page `page` of the listing has been built."""
    faults = faults_of(request)
    churn = faults.churn.get((company.id, resource))
    if churn is None or page != churn.after_page:
        return
    del faults.churn[(company.id, resource)]
    table = company.contacts if resource == "contacts" else company.products
    victim = churn.delete_id if churn.delete_id is not None else table.order[0]
    delete(victim)
    add(churn.add)


def _known(company: Company, resource: Resource, record_id: int) -> None:
    table = company.contacts if resource == "contacts" else company.products
    if table.get(record_id) is None:
        raise not_found("Contact" if resource == "contacts" else "Product")


def _company(request: Request, company_id: int) -> Company:
    company = get_state(request).companies.get(company_id)
    if company is None:
        raise not_found("Onderneming")
    return company


@router.put("/companies/{company_id}/{resource}/{record_id}/raw")
async def store_raw(
    request: Request, company_id: int, resource: Resource, record_id: int
) -> JSONResponse:
    """Store fields exactly as given (no validation) to be rendered over the record."""
    company = _company(request, company_id)
    _known(company, resource, record_id)
    body = await request.json()
    if not isinstance(body, dict):
        return JSONResponse({"error": "a JSON object"}, status_code=400)
    faults_of(request).raw[(company.id, resource, record_id)] = body
    return JSONResponse({"raw": body})


@router.delete("/companies/{company_id}/{resource}/{record_id}/raw", status_code=204)
async def drop_raw(
    request: Request, company_id: int, resource: Resource, record_id: int
) -> Response:
    faults_of(request).raw.pop((company_id, resource, record_id), None)
    return Response(status_code=204)


@router.put("/companies/{company_id}/churn")
async def arm_churn(request: Request, company_id: int, body: Churn) -> JSONResponse:
    company = _company(request, company_id)
    faults_of(request).churn[(company.id, body.resource)] = body
    return JSONResponse(body.model_dump())
