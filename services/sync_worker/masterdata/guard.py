"""The mass-deletion guard (R-MASTER-4), a pure rule.

A run that would remove (delete or deactivate) more than `share` of an entity's
Rompslomp-led rows removes nothing until a person confirms. Below `min_rows` rows the rule
is skipped: in a tiny administration one deleted contact out of four is 25 %.
"""

from __future__ import annotations


def deletions_allowed(removing: int, rows: int, *, share: float, min_rows: int) -> bool:
    if removing == 0 or rows < min_rows:
        return True
    return removing <= share * rows
