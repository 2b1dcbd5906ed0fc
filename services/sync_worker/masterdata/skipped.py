"""Records Simon could not store (§1 of issue 11): why, in words an office understands.

A record that fails records.py's bounds is skipped, counted and logged as a warning with
the action to take in Rompslomp ("Artikel P123 uit Rompslomp overgeslagen: prijs
99999999999.00 is te groot."). It still counts as seen: Simon never deletes what it could
not read. Pure functions from the client's `Rejected` (pydantic's errors) to a log line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from services.sync_worker.rompslomp.paging import Rejected

# Rompslomp's field → (Dutch, English) as the office knows it.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("id", "id"),
    "price_per_unit": ("prijs", "price"),
    "vat_rate": ("btw-tarief", "VAT rate"),
    "vat_type_id": ("btw-soort", "VAT type"),
    "product_code": ("productcode", "product code"),
    "description": ("omschrijving", "description"),
    "invoice_line": ("productregel", "product line"),
    "name": ("naam", "name"),
    "company_name": ("bedrijfsnaam", "company name"),
    "contact_person_name": ("contactpersoon", "contact person"),
    "contact_person_email_address": ("e-mailadres", "e-mail address"),
    "address": ("adres", "address"),
    "zipcode": ("postcode", "postcode"),
    "city": ("plaats", "city"),
    "country_code": ("landcode", "country code"),
    "phone": ("telefoonnummer", "phone number"),
    "contact_number": ("klantnummer", "customer number"),
    "is_supplier": ("leverancier", "supplier"),
}
SHOWN_CHARACTERS = 40


@dataclass(frozen=True)
class Skip:
    """One skipped record: the key it is remembered by, its code, the reasons."""

    key: str  # the Rompslomp id, or a fingerprint of the record when it has none
    code: str | None  # contact number or product code, as far as readable
    name: str | None
    reason: str
    reason_en: str


def describe(rejected: Rejected, *, products: bool) -> Skip:
    reasons = [_reason(error) for error in rejected.errors[:3]]
    raw = rejected.raw if isinstance(rejected.raw, dict) else {}
    if products:
        line = raw.get("invoice_line")
        line = line if isinstance(line, dict) else {}
        code, name = _text(line.get("product_code")), _text(line.get("description"))
    else:
        code = _text(raw.get("contact_number"))
        name = _text(raw.get("name") or raw.get("company_name") or raw.get("contact_person_name"))
    return Skip(
        key=str(rejected.id) if rejected.id is not None else "?" + _fingerprint(rejected.raw),
        code=code,
        name=name,
        reason="; ".join(nl for nl, _ in reasons),
        reason_en="; ".join(en for _, en in reasons),
    )


def _fingerprint(raw: Any) -> str:
    try:
        encoded = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        encoded = repr(raw).encode()
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def _text(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        return text[:SHOWN_CHARACTERS] if text else None
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    text = str(value)
    if len(text) > SHOWN_CHARACTERS:
        text = text[:SHOWN_CHARACTERS] + "…"
    return f" {text}"


def _reason(error: dict[str, Any]) -> tuple[str, str]:
    location = [part for part in error.get("loc", ()) if isinstance(part, str)]
    field = location[-1] if location else None
    label, label_en = FIELD_LABELS.get(field or "", (field or "record", field or "record"))
    kind = str(error.get("type", ""))
    value = _shown(error.get("input"))
    if field is None:
        return "het record is onleesbaar", "the record is unreadable"
    if kind == "missing":
        return f"{label} ontbreekt", f"{label_en} is missing"
    if kind in ("less_than", "less_than_equal"):
        return f"{label}{value} is te groot", f"{label_en}{value} is too large"
    if kind in ("greater_than", "greater_than_equal"):
        if field in ("price_per_unit", "vat_rate"):
            return f"{label}{value} is negatief", f"{label_en}{value} is negative"
        return f"{label}{value} is ongeldig", f"{label_en}{value} is invalid"
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        size = len(error["input"]) if isinstance(error.get("input"), str) else None
        return (
            f"{label} is te lang ({size} tekens, maximaal {limit})",
            f"{label_en} is too long ({size} characters, at most {limit})",
        )
    if kind.startswith(("decimal", "float", "finite")):
        return f"{label}{value} is geen getal", f"{label_en}{value} is not a number"
    if kind.startswith("int"):
        return f"{label}{value} is geen geheel getal", f"{label_en}{value} is not a whole number"
    return f"{label}{value} is ongeldig", f"{label_en}{value} is invalid"
