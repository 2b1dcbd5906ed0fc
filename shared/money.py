"""Decimal money and quantities (DESIGN D8): parsed exactly, rendered as strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

CENT = Decimal("0.01")


def render_money(value: Decimal) -> str:
    """At least two decimals, no trailing zeros beyond them: 12.5000 → "12.50"."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normalized = value.quantize(CENT)
    return format(normalized, "f")


def render_quantity(value: Decimal) -> str:
    """Exact, without trailing zeros: 2.0000 → "2", 0.2500 → "0.25"."""
    normalized = value.normalize()
    return format(normalized, "f")


Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=4, ge=0),
    PlainSerializer(render_money, return_type=str, when_used="json"),
]
Quantity = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=4, gt=0),
    PlainSerializer(render_quantity, return_type=str, when_used="json"),
]
