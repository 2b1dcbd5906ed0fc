"""The mass-deletion guard (R-MASTER-4), a pure rule.

A run that would remove (delete or deactivate) more than `share` of an entity's active
Rompslomp-led rows, or every one of them, removes nothing until a person confirms. Small
administrations are guarded too: a run that empties a tiny administration is as likely a
mistake (a wrong administration, a Rompslomp hiccup) as a big one.
"""

from __future__ import annotations


def deletions_allowed(removing: int, rows: int, *, share: float) -> bool:
    if removing == 0:
        return True
    if removing >= rows:
        return False
    return removing <= share * rows
