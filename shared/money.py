"""Decimal money and quantities (DESIGN D8): parsed exactly, rendered as strings.

In requests a decimal travels as a string that the OpenAPI document describes exactly (a
pattern with the digit limits of the columns: 10 before the point, 4 after), and the
service checks the same pattern (as JSON Schema does, with `re.search`), so a
generated client and the service agree on every value. Answers render stored values,
which may carry more decimals (Rompslomp's prices have up to six): `MoneyOut`,
`QuantityOut`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")

MONEY_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,4})?$"
# More than zero: a whole part from 1, or 0 with a fraction that is not all zeros.
QUANTITY_PATTERN = (
    r"^([1-9][0-9]{0,9}(\.[0-9]{1,4})?"
    r"|0\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)
FRACTION_PATTERN = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"


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


def _parser(pattern: str, rule: str) -> Callable[[Any], Decimal]:
    compiled = re.compile(pattern)

    def parse(value: Any) -> Decimal:
        if isinstance(value, Decimal):  # set in code, not sent
            return value
        if not isinstance(value, str) or compiled.search(value) is None:
            raise ValueError(rule)
        return Decimal(value)

    return parse


def _documented(pattern: str, example: str, rule: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "examples": [example], "description": rule}
    )


MONEY_RULE = (
    'A decimal string such as "12.50": 0 or more, at most 10 digits before the point and 4 after'
)
QUANTITY_RULE = (
    'A decimal string such as "2.5": more than 0, at most 10 digits before the point and 4 after'
)
FRACTION_RULE = 'A fraction as a decimal string such as "0.21" (21 %): 0 to 1, at most 4 decimals'
_JSON = "json"

Money = Annotated[
    Decimal,
    BeforeValidator(_parser(MONEY_PATTERN, MONEY_RULE)),
    _documented(MONEY_PATTERN, "12.50", MONEY_RULE),
    PlainSerializer(render_money, return_type=str, when_used=_JSON),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_parser(QUANTITY_PATTERN, QUANTITY_RULE)),
    _documented(QUANTITY_PATTERN, "2.5", QUANTITY_RULE),
    PlainSerializer(render_quantity, return_type=str, when_used=_JSON),
]
Fraction = Annotated[
    Decimal,
    BeforeValidator(_parser(FRACTION_PATTERN, FRACTION_RULE)),
    _documented(FRACTION_PATTERN, "0.21", FRACTION_RULE),
    PlainSerializer(render_quantity, return_type=str, when_used=_JSON),
]
MoneyOut = Annotated[Decimal, PlainSerializer(render_money, return_type=str, when_used="json")]
QuantityOut = Annotated[
    Decimal, PlainSerializer(render_quantity, return_type=str, when_used="json")
]
