"""Decimal parsing and rendering the way Rompslomp does it ("75.0", "2292.95", "0.21")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def render(value: Decimal | None) -> str | None:
    """Render a decimal as a string with at least one decimal place, exactly."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text in ("-0.0", "-0") else text


def parse(value: object) -> Decimal | None:
    """Parse a decimal from a JSON string or number; None when it is not a finite number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
    elif isinstance(value, float):
        text = repr(value)
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
