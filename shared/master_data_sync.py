"""Writing Rompslomp's customers and articles into Simon (DESIGN: the worker's only write
into the domain's tables goes through these functions and shared/master_data_retire.py).

Set-based: one `INSERT … ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE` per batch. The
worker sends only records whose content hash differs from the stored one (or all of them
when a repair is due); the update then happens only where a stored value really differs,
the hash is stale or the row was inactive, so an unchanged record costs no write and an
edit made in Simon while the integration was off is put back. For customers the same
statement keeps their Rompslomp work address in step (R-MASTER-2); Simon's own work
addresses, contact persons, objects and article groups are never touched.

With `details` the statement answers one row per record it changed, naming the columns
that differed (for the log's one line per change, R-LOG-3); without, only the counts (the
first import: a summary is all the log gets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import orjson
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.enums import RecordSource, SyncEntity

ChangeKind = Literal["added", "changed", "restored"]


# The rows the sync writes, as plain tuples (the cheapest to build for every record of a
# listing, and orjson sends them as JSON arrays); the content hash comes last.
CustomerRow = tuple[
    int, str, str | None, str | None, str | None, str | None, str | None, str | None,
    str | None, str,
]  # fmt: skip
CUSTOMER_ROW = (
    "rompslomp_id", "name", "number", "address", "zipcode", "city", "country_code", "email",
    "phone", "content_hash",
)  # fmt: skip
ArticleRow = tuple[int, str, str, Decimal, int | None, Decimal | None, str]
ARTICLE_ROW = (
    "rompslomp_id", "code", "description", "price", "vat_type_id", "vat_rate", "content_hash",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Known:
    """A Rompslomp-led row as Simon holds it."""

    id: int
    content_hash: str | None
    active: bool


@dataclass(frozen=True)
class Change:
    """One record a sync wrote: added, changed in Rompslomp, or restored (Simon's copy
    differed while Rompslomp's did not: an edit made in Simon was put back)."""

    rompslomp_id: int
    name: str  # customer name, article description
    code: str | None  # customer number, article code
    kind: ChangeKind
    fields: list[str]  # the columns that differed (empty for an addition)
    reactivated: bool = False


@dataclass
class Written:
    added: int = 0
    changed: int = 0
    changes: list[Change] = field(default_factory=list)


_KNOWN = {
    entity: text(
        f"SELECT rompslomp_id, id, content_hash, active FROM {entity} "  # noqa: S608 - constant SQL
        f"WHERE tenant_id = :tenant_id AND source = '{RecordSource.ROMPSLOMP}' "
        "AND rompslomp_id IS NOT NULL"
    )
    for entity in SyncEntity
}


async def known(session: AsyncSession, tenant_id: int, entity: SyncEntity) -> dict[int, Known]:
    """Every Rompslomp-led row of the entity by Rompslomp id."""
    rows = await session.execute(_KNOWN[entity], {"tenant_id": tenant_id})
    return {row[0]: Known(row[1], row[2], row[3]) for row in rows}


def _columns(names: Sequence[str], types: Sequence[str]) -> str:
    """SQL: the batch (a JSON array of arrays) as rows with these columns."""
    columns = ", ".join(
        f"CAST(r ->> {n} AS {kind}) AS {name}"
        for n, (name, kind) in enumerate(zip(names, types, strict=True))
    )
    # jsonb: the batch is parsed once; `->>` on json would parse each record once a column.
    return f"SELECT {columns} FROM jsonb_array_elements(CAST(:rows AS jsonb)) AS r"  # noqa: S608 - constant SQL, no input


def _before(table: str, columns: Sequence[str]) -> str:
    """SQL: the stored rows of the batch's records, one unique-index probe per record (the
    LIMIT keeps the planner from scanning the tenant's whole table for a hash join, which
    it would: it cannot know the batch holds only a thousand records)."""
    selected = ", ".join(
        f"s.{c}" for c in ("id", "rompslomp_id", "active", "content_hash", *columns)
    )
    return f"""
        SELECT {selected} FROM incoming i CROSS JOIN LATERAL (
            SELECT * FROM {table} s
            WHERE s.tenant_id = :tenant_id AND s.rompslomp_id = i.rompslomp_id LIMIT 1
        ) s"""  # noqa: S608 - constant SQL, no input


def _differs(columns: Sequence[str], old: str = "b", new: str = "i") -> str:
    """SQL: the names of `columns` whose values differ between two aliases, as text[]."""
    cases = ", ".join(
        f"CASE WHEN {old}.{c} IS DISTINCT FROM {new}.{c} THEN '{c}' END" for c in columns
    )
    return f"array_remove(ARRAY[{cases}]::text[], NULL)"


def _any_differs(columns: Sequence[str], old: str, new: str) -> str:
    left = ", ".join(f"{old}.{c}" for c in columns)
    right = ", ".join(f"{new}.{c}" for c in columns)
    return f"({left}) IS DISTINCT FROM ({right})"


CUSTOMER_COLUMNS = (
    "name",
    "number",
    "address",
    "zipcode",
    "city",
    "country_code",
    "email",
    "phone",
)
ADDRESS_COLUMNS = ("address", "zipcode", "city", "country_code")
ARTICLE_COLUMNS = ("code", "description", "price", "vat_type_id", "vat_rate")

# The batch travels as one JSON parameter (orjson-encoded, a single C call), is unpacked by
# jsonb_array_elements, and one statement does the rest: far less client CPU than binding an
# array per column and reading a row back per record. `before` is the statement's snapshot
# of the rows as they were, which is what a change is measured against.
_CUSTOMERS_BODY = f"""
    WITH incoming AS (
        {_columns(CUSTOMER_ROW, ("bigint",) + ("text",) * 9)}
    ), before AS (
        {_before("customers", CUSTOMER_COLUMNS)}
    ), upserted AS (
        INSERT INTO customers AS c (tenant_id, rompslomp_id, name, number, address, zipcode,
                                    city, country_code, email, phone, content_hash, source,
                                    active)
        SELECT :tenant_id, rompslomp_id, name, number, address, zipcode, city, country_code,
               email, phone, content_hash, '{RecordSource.ROMPSLOMP}', true
        FROM incoming
        ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE SET
            name = excluded.name, number = excluded.number, address = excluded.address,
            zipcode = excluded.zipcode, city = excluded.city,
            country_code = excluded.country_code, email = excluded.email,
            phone = excluded.phone, content_hash = excluded.content_hash,
            source = '{RecordSource.ROMPSLOMP}', active = true, updated_at = now()
        WHERE c.content_hash IS DISTINCT FROM excluded.content_hash OR NOT c.active
              OR {_any_differs(CUSTOMER_COLUMNS, "c", "excluded")}
        RETURNING c.id, c.rompslomp_id
    ), addressed AS (
        -- A contact without any address gets no work address; one that loses its address
        -- keeps the last one (work orders may point at it).
        INSERT INTO work_addresses AS w (tenant_id, customer_id, street, zipcode, city,
                                         country_code, source)
        SELECT :tenant_id, coalesce(u.id, b.id), i.address, i.zipcode, i.city,
               i.country_code, '{RecordSource.ROMPSLOMP}'
        FROM incoming i
        LEFT JOIN upserted u ON u.rompslomp_id = i.rompslomp_id
        LEFT JOIN before b ON b.rompslomp_id = i.rompslomp_id
        WHERE coalesce(i.address, i.zipcode, i.city) IS NOT NULL
          AND coalesce(u.id, b.id) IS NOT NULL
        ON CONFLICT (customer_id) WHERE source = '{RecordSource.ROMPSLOMP}' DO UPDATE SET
            street = excluded.street, zipcode = excluded.zipcode, city = excluded.city,
            country_code = excluded.country_code, updated_at = now()
        WHERE (w.street, w.zipcode, w.city, w.country_code)
              IS DISTINCT FROM (excluded.street, excluded.zipcode, excluded.city,
                                excluded.country_code)
        RETURNING w.customer_id
    ), written AS (
        SELECT i.rompslomp_id, i.name, i.number, b.id IS NULL AS inserted,
               coalesce(NOT b.active, false) AS reactivated,
               b.content_hash IS NOT DISTINCT FROM i.content_hash AS same_in_rompslomp,
               -- The work address alone was written: Simon's copy of it had been edited.
               {_differs(CUSTOMER_COLUMNS)}
               || CASE WHEN b.id IS NOT NULL AND a.customer_id IS NOT NULL
                            AND NOT {_any_differs(ADDRESS_COLUMNS, "b", "i")}
                       THEN ARRAY['work_address'] ELSE ARRAY[]::text[] END AS fields
        FROM incoming i
        LEFT JOIN before b ON b.rompslomp_id = i.rompslomp_id
        LEFT JOIN upserted u ON u.rompslomp_id = i.rompslomp_id
        LEFT JOIN addressed a ON a.customer_id = coalesce(u.id, b.id)
        WHERE u.id IS NOT NULL OR a.customer_id IS NOT NULL
    )
"""  # noqa: S608 - constant SQL, no input
_ARTICLES_BODY = f"""
    WITH incoming AS (
        {_columns(ARTICLE_ROW, ("bigint", "text", "text", "numeric", "bigint", "numeric", "text"))}
    ), before AS (
        {_before("articles", ARTICLE_COLUMNS)}
    ), upserted AS (
        INSERT INTO articles AS a (tenant_id, rompslomp_id, code, description, price,
                                   vat_type_id, vat_rate, content_hash, source, active)
        SELECT :tenant_id, rompslomp_id, code, description, price, vat_type_id, vat_rate,
               content_hash, '{RecordSource.ROMPSLOMP}', true
        FROM incoming
        ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE SET
            code = excluded.code, description = excluded.description, price = excluded.price,
            vat_type_id = excluded.vat_type_id, vat_rate = excluded.vat_rate,
            content_hash = excluded.content_hash, source = '{RecordSource.ROMPSLOMP}',
            active = true, updated_at = now()
        WHERE a.content_hash IS DISTINCT FROM excluded.content_hash OR NOT a.active
              OR {_any_differs(ARTICLE_COLUMNS, "a", "excluded")}
        RETURNING a.id, a.rompslomp_id
    ), written AS (
        SELECT i.rompslomp_id, i.description AS name, i.code AS number,
               b.id IS NULL AS inserted, coalesce(NOT b.active, false) AS reactivated,
               b.content_hash IS NOT DISTINCT FROM i.content_hash AS same_in_rompslomp,
               {_differs(ARTICLE_COLUMNS)} AS fields
        FROM upserted u
        JOIN incoming i ON i.rompslomp_id = u.rompslomp_id
        LEFT JOIN before b ON b.rompslomp_id = i.rompslomp_id
    )
"""  # noqa: S608 - constant SQL, no input
# A record whose columns were all equal (only its hash was stale) is rewritten silently.
_COUNTS = """
    SELECT count(*) FILTER (WHERE inserted),
           count(*) FILTER (WHERE NOT inserted AND (reactivated OR fields <> '{}'))
    FROM written
"""
_DETAILS = """
    SELECT rompslomp_id, name, number, inserted, reactivated, same_in_rompslomp, fields
    FROM written WHERE inserted OR reactivated OR fields <> '{}'
    ORDER BY rompslomp_id
"""
_UPSERT: dict[tuple[SyncEntity, bool], TextClause] = {
    (SyncEntity.CUSTOMERS, False): text(_CUSTOMERS_BODY + _COUNTS),
    (SyncEntity.CUSTOMERS, True): text(_CUSTOMERS_BODY + _DETAILS),
    (SyncEntity.ARTICLES, False): text(_ARTICLES_BODY + _COUNTS),
    (SyncEntity.ARTICLES, True): text(_ARTICLES_BODY + _DETAILS),
}


def _json(rows: object) -> str:
    # Tuples become arrays; Decimals their exact string.
    return orjson.dumps(rows, default=str).decode()


async def _upsert(
    session: AsyncSession,
    entity: SyncEntity,
    tenant_id: int,
    records: Sequence[object],
    details: bool,
) -> Written:
    if not records:
        return Written()
    params = {"tenant_id": tenant_id, "rows": _json(records)}
    result = await session.execute(_UPSERT[entity, details], params)
    if not details:
        added, changed = result.one()
        return Written(added=int(added), changed=int(changed))
    written = Written()
    for row in result:
        kind: ChangeKind = (
            "added" if row.inserted else "restored" if row.same_in_rompslomp else "changed"
        )
        if row.inserted:
            written.added += 1
        else:
            written.changed += 1
        written.changes.append(
            Change(row.rompslomp_id, row.name, row.number, kind, list(row.fields), row.reactivated)
        )
    return written


async def upsert_customers(
    session: AsyncSession, tenant_id: int, records: Sequence[CustomerRow], details: bool
) -> Written:
    """Insert or update the customers and their Rompslomp work address: one statement."""
    return await _upsert(session, SyncEntity.CUSTOMERS, tenant_id, records, details)


async def upsert_articles(
    session: AsyncSession, tenant_id: int, records: Sequence[ArticleRow], details: bool
) -> Written:
    """Insert or update the articles (their article group, Simon's own, stays)."""
    return await _upsert(session, SyncEntity.ARTICLES, tenant_id, records, details)
