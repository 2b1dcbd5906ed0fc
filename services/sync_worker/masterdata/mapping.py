"""Rompslomp records → Simon rows, with the content hash that makes "unchanged" cheap.

Pure functions over records.py's validated dicts, run for every record of every listing,
so written for speed: plain tuples in the column order of shared.master_data_sync, one
join and one digest per record. The hash is taken over the mapped values, so only what
Simon stores counts as a change (a Rompslomp field we do not keep, like `kvk_number`,
changes nothing); its formula is the one the stored hashes were made with.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from hashlib import blake2b

from services.sync_worker.masterdata.records import ContactRecord, ProductRecord
from shared.master_data_sync import ArticleRow, CustomerRow

PRICE_STEP = Decimal("0.000001")  # the articles' columns keep six decimals
HASH_STEP = Decimal("0.0001")  # what hashes were taken at before: keeps them stable
ABSENT = "\x00"  # stands for None in a hash: stored strings are stripped, never empty


def content_hash(values: list[str]) -> str:
    # Unit separators between fields: no value can fake another's shape (stored strings
    # hold no NUL and no separator that matters). A fifth of json.dumps' cost per record.
    return blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def customer_row(contact: ContactRecord) -> CustomerRow:
    # Inlined `_text`s: this runs for every contact of every listing.
    name = contact.get("name")
    name = name and name.strip()
    if not name:
        name = _text(contact.get("company_name")) or _text(contact.get("contact_person_name"))
    name = name or f"Rompslomp-contact {contact['id']}"
    number = contact.get("contact_number")
    number = (number.strip() or None) if number else None
    address = contact.get("address")
    address = (address.strip() or None) if address else None
    zipcode = contact.get("zipcode")
    zipcode = (zipcode.strip() or None) if zipcode else None
    city = contact.get("city")
    city = (city.strip() or None) if city else None
    country = contact.get("country_code")
    country = (country.strip().upper() or None) if country else None
    email = contact.get("contact_person_email_address")
    email = (email.strip() or None) if email else None
    phone = contact.get("phone")
    phone = (phone.strip() or None) if phone else None
    digest = content_hash(
        [
            name,
            number or ABSENT,
            address or ABSENT,
            zipcode or ABSENT,
            city or ABSENT,
            country or ABSENT,
            email or ABSENT,
            phone or ABSENT,
        ]
    )
    return (contact["id"], name, number, address, zipcode, city, country, email, phone, digest)


def _exact(value: Decimal) -> tuple[Decimal, str]:
    """The value as stored (six decimals) and as hashed (four when that loses nothing)."""
    stored = value.quantize(PRICE_STEP, rounding=ROUND_HALF_UP)
    short = stored.quantize(HASH_STEP)
    return stored, str(short if short == stored else stored)


def article_row(product: ProductRecord) -> ArticleRow:
    line = product.get("invoice_line") or {}
    code = _text(line.get("product_code")) or f"P{product['id']}"
    description = (line.get("description") or "").strip()
    price_given = line.get("price_per_unit")
    price, price_hashed = _exact(price_given if price_given is not None else Decimal(0))
    rate_given = line.get("vat_rate")
    rate, rate_hashed = _exact(rate_given) if rate_given is not None else (None, ABSENT)
    vat_type_id = line.get("vat_type_id")
    vat_hashed = ABSENT if vat_type_id is None else str(vat_type_id)
    digest = content_hash([code, description, price_hashed, vat_hashed, rate_hashed])
    return (product["id"], code, description, price, vat_type_id, rate, digest)
