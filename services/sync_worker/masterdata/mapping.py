"""Rompslomp records → Simon rows, with the content hash that makes "unchanged" cheap.

Pure functions. Values are cut to Simon's column sizes so one odd record cannot fail a
batch; the hash is taken over the mapped values, so only what Simon stores counts as a
change (a Rompslomp field we do not keep, like `kvk_number`, changes nothing).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from services.sync_worker.rompslomp import Contact, Product
from shared.master_data_sync import ArticleRecord, CustomerRecord


def content_hash(values: tuple[object, ...]) -> str:
    # Unit separators between fields, NUL for "absent": no value can fake another's shape
    # (stored strings are stripped, never empty). A fifth of json.dumps' cost per record.
    encoded = "\x1f".join("\x00" if v is None else str(v) for v in values)
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()


def _cut(value: str | None, size: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value[:size] if value else None


def customer_record(contact: Contact) -> CustomerRecord:
    name = (
        _cut(contact.name, 200)
        or _cut(contact.company_name, 200)
        or _cut(contact.contact_person_name, 200)
        or f"Rompslomp-contact {contact.id}"
    )
    country = _cut(contact.country_code, 2)
    number = _cut(contact.contact_number, 50)
    address = _cut(contact.address, 200)
    zipcode = _cut(contact.zipcode, 20)
    city = _cut(contact.city, 100)
    country_code = country.upper() if country else None
    email = _cut(contact.contact_person_email_address, 320)
    phone = _cut(contact.phone, 50)
    values = (name, number, address, zipcode, city, country_code, email, phone)
    return CustomerRecord(
        rompslomp_id=contact.id,
        name=name,
        number=number,
        address=address,
        zipcode=zipcode,
        city=city,
        country_code=country_code,
        email=email,
        phone=phone,
        content_hash=content_hash(values),
    )


def article_record(product: Product) -> ArticleRecord:
    line = product.invoice_line
    price = line.price_per_unit if line and line.price_per_unit is not None else Decimal(0)
    values = (
        _cut(line.product_code if line else None, 100) or f"P{product.id}",
        (line.description or "").strip() if line else "",
        price.quantize(Decimal("0.0001")),
        line.vat_type_id if line else None,
        line.vat_rate.quantize(Decimal("0.0001")) if line and line.vat_rate is not None else None,
    )
    code, description, price, vat_type_id, vat_rate = values
    return ArticleRecord(
        product.id,
        code,
        description,
        price,
        vat_type_id,
        vat_rate,
        content_hash=content_hash(values),
    )
