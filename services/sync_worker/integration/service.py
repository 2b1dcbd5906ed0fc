"""Administrations, product checks and settings against Rompslomp (R-SETUP-4/6).

Plain functions with explicit arguments; the router owns the transactions (it commits
before any call to Rompslomp and writes the outcome in a new transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.integration.schemas import (
    Administration,
    ProductOut,
    ProductRef,
    SettingsIn,
    SettingsOut,
    SettingsVersionOut,
    SyncRunOut,
)
from services.sync_worker.log import writer
from services.sync_worker.rompslomp import Company, NotFoundError, Product, RompslompClient
from shared.enums import IntegrationState, LogLevel
from shared.models.integration_setup import IntegrationSettings, IntegrationSettingsVersion, SyncRun
from shared.problems import DomainError, FieldProblem, InvalidInput

PRODUCT_FIELDS = ("work_time_product", "travel_time_product", "standard_product")
PRODUCT_LABELS = {
    "work_time_product": "werktijd",
    "travel_time_product": "reistijd",
    "standard_product": "standaard artikel",
}
PRODUCT_LABELS_EN = {
    "work_time_product": "work time",
    "travel_time_product": "travel time",
    "standard_product": "standard article",
}


async def administrations(client: RompslompClient) -> list[Administration]:
    return [
        Administration(id=c.id, name=c.name, api_accessible=c.api_accessible)
        for c in await client.list_companies()
    ]


async def resolve_administration(
    client: RompslompClient, administration_id: int, *, field: str = "administration_id"
) -> Company:
    companies = await client.list_companies()
    company = next((c for c in companies if c.id == administration_id), None)
    if company is None:
        raise InvalidInput(
            field,
            f"Administratie {administration_id} is niet bekend in Rompslomp. "
            "Kies een administratie uit de lijst.",
            code="unknown_administration",
        )
    if not company.api_accessible:
        raise InvalidInput(
            field,
            f"Administratie '{company.name}' is niet via de API van Rompslomp bereikbaar "
            "(gratis abonnement). Kies een andere administratie of neem in Rompslomp een "
            "abonnement dat koppelingen toestaat.",
            code="administration_not_accessible",
        )
    return company


async def find_product(client: RompslompClient, company_id: int, ref: ProductRef) -> Product | None:
    """A product by Rompslomp id or, failing that, by its product code."""
    text = str(ref).strip()
    if not text:
        return None
    if text.isdigit():
        try:
            return await client.get_product(company_id, text)
        except NotFoundError:
            pass  # digits can be a product code too
    return await client.find_product_by_code(company_id, text)


def product_out(product: Product) -> ProductOut:
    line = product.invoice_line
    return ProductOut(
        id=product.id,
        product_code=product.product_code,
        description=line.description if line else None,
        price_per_unit=line.price_per_unit if line else None,
    )


def unknown_product(field: str, ref: ProductRef) -> FieldProblem:
    return FieldProblem(
        field=field,
        message=(
            f"Product '{ref}' bestaat niet in de gekozen administratie van Rompslomp. "
            "Controleer de productcode of het product-id."
        ),
    )


async def check_product(
    client: RompslompClient, administration_id: int, ref: ProductRef
) -> ProductOut:
    """ "Controleer": the product in the chosen administration, or 422 `unknown_product`."""
    await resolve_administration(client, administration_id)
    product = await find_product(client, administration_id, ref)
    if product is None:
        problem = unknown_product("product", ref)
        raise InvalidInput(problem.field, problem.message, code="unknown_product")
    return product_out(product)


def require_terms(body: SettingsIn) -> None:
    if not body.accept_terms:
        raise InvalidInput(
            "accept_terms",
            "Ga akkoord met de voorwaarden om de integratie te gebruiken.",
            code="terms_not_accepted",
        )


async def resolve_settings(
    client: RompslompClient, body: SettingsIn
) -> tuple[Company, dict[str, ProductOut | None]]:
    """Re-check the administration and every product against Rompslomp (R-SETUP-6)."""
    company = await resolve_administration(client, body.administration_id)
    products: dict[str, ProductOut | None] = {}
    problems: list[FieldProblem] = []
    for field in PRODUCT_FIELDS:
        ref = getattr(body, field)
        if ref is None or str(ref).strip() == "":
            products[field] = None
            continue
        product = await find_product(client, company.id, ref)
        if product is None:
            problems.append(unknown_product(field, ref))
        else:
            products[field] = product_out(product)
    if problems:
        raise DomainError(
            "; ".join(f"{p.field}: {p.message}" for p in problems),
            code="unknown_product",
            status=422,
            errors=problems,
        )
    return company, products


def _product_json(product: ProductOut | None) -> dict[str, Any] | None:
    return None if product is None else product.model_dump(mode="json")


async def store_settings(
    session: AsyncSession,
    tenant_id: int,
    employee_id: int,
    body: SettingsIn,
    company: Company,
    products: dict[str, ProductOut | None],
    *,
    now: datetime,
    logged: bool = True,
) -> IntegrationSettings:
    """Replace the settings in force and append the version to the history (`logged`:
    with its log line; an administration switch writes its own)."""
    filter_word = (body.filter_word or "").strip() or None
    values: dict[str, Any] = {
        "administration_id": company.id,
        "administration_name": company.name,
        **{field: _product_json(products[field]) for field in PRODUCT_FIELDS},
        "description_as_first_line": body.description_as_first_line,
        "filter_word": filter_word,
        "saved_at": now,
        "saved_by": employee_id,
    }
    terms = {"terms_accepted_at": now, "terms_accepted_by": employee_id}
    statement = insert(IntegrationSettings).values(tenant_id=tenant_id, **values, **terms)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["tenant_id"], set_=values)
    )
    snapshot = {
        key: (value.isoformat() if isinstance(value, datetime) else value)
        for key, value in values.items()
        if key not in ("saved_at", "saved_by")
    }
    session.add(
        IntegrationSettingsVersion(
            tenant_id=tenant_id, saved_at=now, saved_by=employee_id, settings=snapshot
        )
    )
    if logged:
        _log_saved(session, tenant_id, company, products, filter_word)
    await session.flush()
    stored = await session.get(IntegrationSettings, tenant_id, populate_existing=True)
    assert stored is not None
    return stored


def _log_saved(
    session: AsyncSession,
    tenant_id: int,
    company: Company,
    products: dict[str, ProductOut | None],
    filter_word: str | None,
) -> None:
    chosen = [
        f"{PRODUCT_LABELS[field]}: {p.product_code or p.id}"
        for field, p in products.items()
        if p is not None
    ]
    chosen_en = [
        f"{PRODUCT_LABELS_EN[field]}: {p.product_code or p.id}"
        for field, p in products.items()
        if p is not None
    ]
    writer.write(
        session,
        tenant_id,
        level=LogLevel.INFO,
        message=(
            f"Instellingen opgeslagen: administratie '{company.name}'"
            + (f", {', '.join(chosen)}" if chosen else "")
            + (f", filterwoord '{filter_word}'" if filter_word else "")
            + ". De wijzigingen gelden vanaf nu; bestaande facturen worden niet aangepast."
        ),
        message_en=(
            f"Settings saved: administration '{company.name}'"
            + (f", {', '.join(chosen_en)}" if chosen_en else "")
            + (f", filter word '{filter_word}'" if filter_word else "")
            + ". The changes apply from now on; existing invoices are not changed."
        ),
    )


async def reload_settings(session: AsyncSession, tenant_id: int) -> IntegrationSettings:
    stored = await session.get(IntegrationSettings, tenant_id, populate_existing=True)
    assert stored is not None
    return stored


def settings_out(
    settings: IntegrationSettings, state: IntegrationState, runs: list[SyncRun] | None = None
) -> SettingsOut:
    def product(value: dict[str, Any] | None) -> ProductOut | None:
        return None if value is None else ProductOut.model_validate(value)

    return SettingsOut(
        state=state,
        administration_id=settings.administration_id,
        administration_name=settings.administration_name,
        work_time_product=product(settings.work_time_product),
        travel_time_product=product(settings.travel_time_product),
        standard_product=product(settings.standard_product),
        description_as_first_line=settings.description_as_first_line,
        filter_word=settings.filter_word,
        accept_terms=True,
        terms_accepted_at=settings.terms_accepted_at,
        saved_at=settings.saved_at,
        saved_by=settings.saved_by,
        switch_from_administration_id=settings.switch_from_administration_id,
        switch_from_administration_name=settings.switch_from_administration_name,
        sync=[SyncRunOut.model_validate(run, from_attributes=True) for run in runs or []],
    )


async def history(session: AsyncSession, tenant_id: int) -> list[SettingsVersionOut]:
    rows = await session.scalars(
        select(IntegrationSettingsVersion)
        .where(IntegrationSettingsVersion.tenant_id == tenant_id)
        .order_by(IntegrationSettingsVersion.id.desc())
    )
    return [
        SettingsVersionOut(saved_at=row.saved_at, saved_by=row.saved_by, settings=row.settings)
        for row in rows
    ]
