"""Opaque list cursors (API.md Conventions): the URL-safe form of the last id of a page.

Each list marks its cursors with its own letter, so a cursor from one list is refused by
another (422 naming `cursor`) instead of quietly paging the wrong thing.
"""

from __future__ import annotations

import base64
import binascii

from shared.ids import MAX_ID
from shared.problems import InvalidInput


def encode_cursor(last_id: int, mark: str = "i") -> str:
    return base64.urlsafe_b64encode(f"{mark}{last_id}".encode()).decode().rstrip("=")


def _not_a_cursor() -> InvalidInput:
    # Its own code: a string can look like a cursor (the OpenAPI document can say no more
    # than its alphabet) and still not be one this list handed out.
    return InvalidInput("cursor", "Not a cursor returned by this list", code="invalid_cursor")


def decode_cursor(cursor: str, mark: str = "i") -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(mark):
            raise ValueError(raw)
        value = int(raw[len(mark) :])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _not_a_cursor() from None
    if not 0 < value <= MAX_ID:
        raise _not_a_cursor()
    return value
