"""Rompslomp records → Simon rows, with the content hash that makes "unchanged" cheap.

Pure functions over records.py's models, which already hold only what fits (text is
stripped there). The hash is taken over the mapped values, so only what Simon stores counts
as a change (a Rompslomp field we do not keep, like `kvk_number`, changes nothing).
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from services.sync_worker.masterdata.records import ContactRecord, ProductRecord
from shared.master_data_sync import ArticleRecord, CustomerRecord

PRICE_STEP = Decimal("0.000001")  # the articles' columns keep six decimals
HASH_STEP = Decimal("0.0001")  # what hashes were taken at before: keeps them stable


def content_hash(values: tuple[object, ...]) -> str:
    # Unit separators between fields, NUL for "absent": no value can fake another's shape
    # (stored strings are stripped, never empty, and hold no NUL). A fifth of json.dumps'
    # cost per record.
    encoded = "\x1f".join("\x00" if v is None else str(v) for v in values)
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()


def customer_record(contact: ContactRecord) -> CustomerRecord:
    name = (
        contact.name
        or contact.company_name
        or contact.contact_person_name
        or f"Rompslomp-contact {contact.id}"
    )
    country = contact.country_code
    number = contact.contact_number or None
    address = contact.address or None
    zipcode = contact.zipcode or None
    city = contact.city or None
    country_code = country.upper() if country else None
    email = contact.contact_person_email_address or None
    phone = contact.phone or None
    values = (name, number, address, zipcode, city, country_code, email, phone)
    return CustomerRecord(
        contact.id,
        name,
        number,
        address,
        zipcode,
        city,
        country_code,
        email,
        phone,
        content_hash=content_hash(values),
    )


def _exact(value: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """The value as stored (six decimals) and as hashed (four when that loses nothing)."""
    if value is None:
        return None, None
    stored = value.quantize(PRICE_STEP, rounding=ROUND_HALF_UP)
    short = stored.quantize(HASH_STEP)
    return stored, short if short == stored else stored


def article_record(product: ProductRecord) -> ArticleRecord:
    line = product.invoice_line
    if line is None:
        code, description, price, rate, vat_type_id = f"P{product.id}", "", None, None, None
    else:
        code = line.product_code or f"P{product.id}"
        description = line.description or ""
        price, rate, vat_type_id = line.price_per_unit, line.vat_rate, line.vat_type_id
    price_stored, price_hashed = _exact(price if price is not None else Decimal(0))
    rate_stored, rate_hashed = _exact(rate)
    assert price_stored is not None
    values = (code, description, price_hashed, vat_type_id, rate_hashed)
    return ArticleRecord(
        product.id,
        code,
        description,
        price_stored,
        vat_type_id,
        rate_stored,
        content_hash=content_hash(values),
    )
