"""`GET /api/v1/integration/products`: pick a product of an administration by code or name.

The settings' product fields take a Rompslomp product id or code; a frontend needs a way to
offer the products to choose from before anything is imported into Simon (the first
activation wipes Simon's articles). One page of Rompslomp's own search (`search[q]` matches
the product code and description), never a full listing, so a large administration costs
one request per keystroke pause.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.sync_worker.deps import OfficeDep, RompslompDep, SessionsDep
from services.sync_worker.integration import service
from services.sync_worker.integration.schemas import ProductOut
from services.sync_worker.problems import rompslomp_problems
from services.sync_worker.rompslomp.connection import connected
from shared.ids import MAX_ID
from shared.problems import PROBLEM_RESPONSES, documented

router = APIRouter(prefix="/api/v1/integration", tags=["integration"], responses=PROBLEM_RESPONSES)


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int | None  # matches in Rompslomp; more than `items` means: narrow the search


@router.get(
    "/products",
    response_model=ProductPage,
    responses={
        **documented(403, "`office_only`: a field employee's key"),
        **documented(409, "`not_connected`, `needs_reconnect`"),
    },
)
async def search_products(
    office: OfficeDep,
    rompslomp: RompslompDep,
    sessions: SessionsDep,
    administration_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    q: Annotated[str | None, Query(max_length=100, description="Code or name")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> ProductPage:
    """Products of the administration whose code or name contains `q` (all when empty)."""
    query = (q or "").strip() or None
    with rompslomp_problems():
        async with connected(rompslomp, sessions, office.tenant_id) as client:
            await service.resolve_administration(client, administration_id)
            pages = client.iter_products(administration_id, query=query).__aiter__()
            try:
                first = await anext(pages)
            finally:
                await pages.aclose()
    return ProductPage(
        items=[service.product_out(product) for product in first.items[:limit]],
        total=first.total,
    )
