"""What differs between syncing customers and syncing articles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.log.writer import Table
from services.sync_worker.masterdata.mapping import article_record, customer_record
from services.sync_worker.rompslomp import PageIterator, RompslompClient
from services.sync_worker.rompslomp.client import ProbeResource
from shared.master_data_sync import Entity, Written, upsert_articles, upsert_customers


@dataclass(frozen=True)
class EntitySpec:
    name: Entity
    table: Table  # the log's table column
    label: str  # Dutch, plural: "klanten"
    label_en: str
    resource: ProbeResource  # Rompslomp's collection
    listing: Callable[[RompslompClient, int], PageIterator[Any]]
    record: Callable[[Any], Any]
    upsert: Callable[[AsyncSession, int, Sequence[Any]], Awaitable[Written]]


CUSTOMERS = EntitySpec(
    name="customers",
    table="customer",
    label="klanten",
    label_en="customers",
    resource="contacts",
    listing=lambda client, company_id: client.iter_contacts(company_id),
    record=customer_record,
    upsert=upsert_customers,
)
ARTICLES = EntitySpec(
    name="articles",
    table="article",
    label="artikelen",
    label_en="articles",
    resource="products",
    listing=lambda client, company_id: client.iter_products(company_id),
    record=article_record,
    upsert=upsert_articles,
)
ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in (CUSTOMERS, ARTICLES)}
