"""Writing Rompslomp's customers and articles into Simon (DESIGN: the worker's only write
into the domain's tables goes through these functions).

Set-based: one `INSERT … ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE … WHERE
content_hash IS DISTINCT FROM excluded.content_hash` per batch, so an unchanged record costs
no write; for customers the same statement keeps their Rompslomp work address in step
(R-MASTER-2). Retiring a record (R-MASTER-3/4) deactivates it when anything in Simon still
refers to it and deletes it otherwise; Simon's own work addresses count as references, so
the sync never deletes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import orjson
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

Entity = Literal["customers", "articles"]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    rompslomp_id: int
    name: str
    number: str | None
    address: str | None
    zipcode: str | None
    city: str | None
    country_code: str | None
    email: str | None
    phone: str | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    rompslomp_id: int
    code: str
    description: str
    price: Decimal
    vat_type_id: int | None
    vat_rate: Decimal | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class Known:
    """A Rompslomp-led row as Simon holds it."""

    id: int
    content_hash: str | None
    active: bool


@dataclass
class Written:
    added: int = 0
    changed: int = 0


@dataclass
class Retired:
    deactivated: int = 0
    removed: int = 0


_KNOWN = {
    "customers": text(
        "SELECT rompslomp_id, id, content_hash, active FROM customers "
        "WHERE tenant_id = :tenant_id AND source = 'rompslomp' AND rompslomp_id IS NOT NULL"
    ),
    "articles": text(
        "SELECT rompslomp_id, id, content_hash, active FROM articles "
        "WHERE tenant_id = :tenant_id AND source = 'rompslomp' AND rompslomp_id IS NOT NULL"
    ),
}
_SIMON_MADE = {
    "customers": text("SELECT id FROM customers WHERE tenant_id = :tenant_id AND source = 'simon'"),
    "articles": text("SELECT id FROM articles WHERE tenant_id = :tenant_id AND source = 'simon'"),
}


async def known(session: AsyncSession, tenant_id: int, entity: Entity) -> dict[int, Known]:
    """Every Rompslomp-led row of the entity by Rompslomp id."""
    rows = await session.execute(_KNOWN[entity], {"tenant_id": tenant_id})
    return {row[0]: Known(row[1], row[2], row[3]) for row in rows}


async def simon_made(session: AsyncSession, tenant_id: int, entity: Entity) -> list[int]:
    """Ids of rows created in Simon itself (R-MASTER-3: the cleanup retires them)."""
    return list((await session.scalars(_SIMON_MADE[entity], {"tenant_id": tenant_id})).all())


# The batch travels as one JSON parameter (orjson-encoded, a single C call), is unpacked by
# json_to_recordset, and one statement answers only the counts: far less client CPU than
# binding an array per column and reading a row back per record.
_UPSERT_CUSTOMERS = text(
    """
    WITH incoming AS (
        SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS r(
            rompslomp_id bigint, name text, number text, address text, zipcode text,
            city text, country_code text, email text, phone text, content_hash text)
    ), upserted AS (
        INSERT INTO customers AS c (tenant_id, rompslomp_id, name, number, address, zipcode,
                                    city, country_code, email, phone, content_hash, source,
                                    active)
        SELECT :tenant_id, rompslomp_id, name, number, address, zipcode, city, country_code,
               email, phone, content_hash, 'rompslomp', true
        FROM incoming
        ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE SET
            name = excluded.name, number = excluded.number, address = excluded.address,
            zipcode = excluded.zipcode, city = excluded.city,
            country_code = excluded.country_code, email = excluded.email,
            phone = excluded.phone, content_hash = excluded.content_hash,
            source = 'rompslomp', active = true, updated_at = now()
        WHERE c.content_hash IS DISTINCT FROM excluded.content_hash OR NOT c.active
        RETURNING c.id, c.rompslomp_id, (c.xmax = 0) AS inserted
    ), addressed AS (
        -- A contact without any address gets no work address; one that loses its address
        -- keeps the last one (work orders may point at it).
        INSERT INTO work_addresses AS w (tenant_id, customer_id, street, zipcode, city,
                                         country_code, source)
        SELECT :tenant_id, u.id, i.address, i.zipcode, i.city, i.country_code, 'rompslomp'
        FROM upserted u JOIN incoming i USING (rompslomp_id)
        WHERE coalesce(i.address, i.zipcode, i.city) IS NOT NULL
        ON CONFLICT (customer_id) WHERE source = 'rompslomp' DO UPDATE SET
            street = excluded.street, zipcode = excluded.zipcode, city = excluded.city,
            country_code = excluded.country_code, updated_at = now()
        WHERE (w.street, w.zipcode, w.city, w.country_code)
              IS DISTINCT FROM (excluded.street, excluded.zipcode, excluded.city,
                                excluded.country_code)
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
    FROM upserted
    """
)
_UPSERT_ARTICLES = text(
    """
    WITH upserted AS (
        INSERT INTO articles AS a (tenant_id, rompslomp_id, code, description, price,
                                   vat_type_id, vat_rate, content_hash, source, active)
        SELECT :tenant_id, r.rompslomp_id, r.code, r.description, r.price, r.vat_type_id,
               r.vat_rate, r.content_hash, 'rompslomp', true
        FROM json_to_recordset(CAST(:rows AS json)) AS r(
            rompslomp_id bigint, code text, description text, price numeric,
            vat_type_id bigint, vat_rate numeric, content_hash text)
        ON CONFLICT (tenant_id, rompslomp_id) DO UPDATE SET
            code = excluded.code, description = excluded.description, price = excluded.price,
            vat_type_id = excluded.vat_type_id, vat_rate = excluded.vat_rate,
            content_hash = excluded.content_hash, source = 'rompslomp', active = true,
            updated_at = now()
        WHERE a.content_hash IS DISTINCT FROM excluded.content_hash OR NOT a.active
        RETURNING (a.xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
    FROM upserted
    """
)


def _json(rows: object) -> str:
    # Dataclasses are encoded by field name; Decimals as their exact string.
    return orjson.dumps(rows, default=str).decode()


async def _upsert(
    session: AsyncSession, statement: TextClause, tenant_id: int, rows: str
) -> Written:
    counts = (await session.execute(statement, {"tenant_id": tenant_id, "rows": rows})).one()
    return Written(added=int(counts[0]), changed=int(counts[1]))


async def upsert_customers(
    session: AsyncSession, tenant_id: int, records: Sequence[CustomerRecord]
) -> Written:
    """Insert or update the customers and their Rompslomp work address: one statement."""
    if not records:
        return Written()
    return await _upsert(session, _UPSERT_CUSTOMERS, tenant_id, _json(records))


async def upsert_articles(
    session: AsyncSession, tenant_id: int, records: Sequence[ArticleRecord]
) -> Written:
    if not records:
        return Written()
    return await _upsert(session, _UPSERT_ARTICLES, tenant_id, _json(records))


# Referenced: by any work order (open or archived), or, for a customer, by a work address
# Simon made (the sync never touches those). `referenced` is computed once per row.
_CUSTOMERS_REFERENCED = """
    WITH target AS (
        SELECT c.id, c.active,
               EXISTS (SELECT 1 FROM work_orders w WHERE w.customer_id = c.id)
               OR EXISTS (SELECT 1 FROM work_addresses wa
                          WHERE wa.customer_id = c.id AND wa.source = 'simon') AS referenced
        FROM customers c
        WHERE c.tenant_id = :tenant_id AND c.id = ANY(CAST(:ids AS bigint[]))
    )
"""
_ARTICLES_REFERENCED = """
    WITH target AS (
        SELECT a.id, a.active,
               EXISTS (SELECT 1 FROM materials m WHERE m.article_id = a.id) AS referenced
        FROM articles a
        WHERE a.tenant_id = :tenant_id AND a.id = ANY(CAST(:ids AS bigint[]))
    )
"""
_EFFECT_TAIL = """
    SELECT count(*) FILTER (WHERE active AND referenced), count(*) FILTER (WHERE NOT referenced)
    FROM target
"""
_EFFECT = {
    "customers": text(_CUSTOMERS_REFERENCED + _EFFECT_TAIL),
    "articles": text(_ARTICLES_REFERENCED + _EFFECT_TAIL),
}
_DEACTIVATE = {
    "customers": text(
        _CUSTOMERS_REFERENCED  # noqa: S608 - constant SQL, no input
        + """
        UPDATE customers c SET active = false, updated_at = now() FROM target t
        WHERE c.id = t.id AND t.referenced AND c.active RETURNING c.id
        """
    ),
    "articles": text(
        _ARTICLES_REFERENCED  # noqa: S608 - constant SQL, no input
        + """
        UPDATE articles a SET active = false, updated_at = now() FROM target t
        WHERE a.id = t.id AND t.referenced AND a.active RETURNING a.id
        """
    ),
}
_DELETE = {
    "customers": text(
        _CUSTOMERS_REFERENCED  # noqa: S608 - constant SQL, no input
        + """
        DELETE FROM customers c USING target t
        WHERE c.id = t.id AND NOT t.referenced RETURNING c.id
        """
    ),
    "articles": text(
        _ARTICLES_REFERENCED  # noqa: S608 - constant SQL, no input
        + """
        DELETE FROM articles a USING target t
        WHERE a.id = t.id AND NOT t.referenced RETURNING a.id
        """
    ),
}


async def retire_effect(
    session: AsyncSession, tenant_id: int, entity: Entity, ids: Sequence[int]
) -> Retired:
    """What `retire` would do now, without doing it."""
    if not ids:
        return Retired()
    row = (await session.execute(_EFFECT[entity], {"tenant_id": tenant_id, "ids": list(ids)})).one()
    return Retired(deactivated=int(row[0]), removed=int(row[1]))


async def retire(
    session: AsyncSession, tenant_id: int, entity: Entity, ids: Sequence[int]
) -> Retired:
    """Deactivate the rows something refers to, delete the others (by Simon id)."""
    if not ids:
        return Retired()
    params = {"tenant_id": tenant_id, "ids": list(ids)}
    deactivated = len((await session.execute(_DEACTIVATE[entity], params)).all())
    removed = len((await session.execute(_DELETE[entity], params)).all())
    return Retired(deactivated=deactivated, removed=removed)
