"""What differs between syncing customers and syncing articles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.masterdata.mapping import article_row, customer_row
from services.sync_worker.masterdata.records import ContactRecord, ProductRecord
from services.sync_worker.rompslomp import PageIterator, RompslompClient
from services.sync_worker.rompslomp.client import ProbeResource
from shared.enums import LogTable, SyncEntity
from shared.master_data_sync import Written, upsert_articles, upsert_customers


@dataclass(frozen=True)
class EntitySpec:
    name: SyncEntity
    table: LogTable  # the log's table column
    label: str  # Dutch, plural: "klanten"
    label_en: str
    noun: str  # Dutch, singular, capitalised: "Klant"
    noun_en: str
    the_noun: str  # "de klant", "het artikel"
    resource: ProbeResource  # Rompslomp's collection
    # Rompslomp's named filter: contacts that are suppliers are not Simon's customers.
    selection: str
    record_model: type[Any]  # records.py: what the sync reads of one record
    record: Callable[[Any], tuple[Any, ...]]  # → the row to write, its content hash last
    upsert: Callable[[AsyncSession, int, Sequence[Any], bool], Awaitable[Written]]
    # The changed columns' names as the office reads them (Dutch, English).
    fields: dict[str, tuple[str, str]]

    def listing(self, client: RompslompClient, company_id: int) -> PageIterator[Any]:
        return client.iter_collection(
            company_id, self.resource, self.record_model, selection=self.selection
        )


CUSTOMERS = EntitySpec(
    name=SyncEntity.CUSTOMERS,
    table=LogTable.CUSTOMER,
    label="klanten",
    label_en="customers",
    noun="Klant",
    noun_en="Customer",
    the_noun="de klant",
    resource="contacts",
    selection="customers",
    record_model=ContactRecord,
    record=customer_row,
    upsert=upsert_customers,
    fields={
        "name": ("naam", "name"),
        "number": ("klantnummer", "customer number"),
        "address": ("adres", "address"),
        "zipcode": ("postcode", "postcode"),
        "city": ("plaats", "city"),
        "country_code": ("land", "country"),
        "email": ("e-mail", "e-mail"),
        "phone": ("telefoon", "phone"),
        "work_address": ("werkadres", "work address"),
    },
)
ARTICLES = EntitySpec(
    name=SyncEntity.ARTICLES,
    table=LogTable.ARTICLE,
    label="artikelen",
    label_en="articles",
    noun="Artikel",
    noun_en="Article",
    the_noun="het artikel",
    resource="products",
    selection="all",
    record_model=ProductRecord,
    record=article_row,
    upsert=upsert_articles,
    fields={
        "code": ("code", "code"),
        "description": ("omschrijving", "description"),
        "price": ("prijs", "price"),
        "vat_type_id": ("btw-soort", "VAT type"),
        "vat_rate": ("btw-tarief", "VAT rate"),
    },
)
ENTITIES: dict[SyncEntity, EntitySpec] = {spec.name: spec for spec in (CUSTOMERS, ARTICLES)}
