"""The status of an invoice export (`invoice_exports.status`), read by both services.

    pending ─checks fail→ failed          pending ─filter word→ skipped
    pending ─checks pass→ sending ─201→ sent ─deleted in Rompslomp→ removed
    sending ─timeout / reset / 5xx / crash→ unknown ─settled, found→ sent
                                               └─settled, not found→ sending (POST again)

The column's CHECK constraint is generated from this enum (`shared.enums.check_sql`), so
the model and the enum cannot drift apart; a migration writes the list it needs literally.
"""

from __future__ import annotations

from enum import StrEnum


class ExportStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (or for the integration to be active)
    SENDING = "sending"  # a POST may be on its way (committed before the POST)
    UNKNOWN = "unknown"  # an ambiguous answer: settled by a lookup after the settle time
    SENT = "sent"  # the concept invoice exists in Rompslomp
    FAILED = "failed"  # refused (by our checks or Rompslomp); fixed by the office
    SKIPPED = "skipped"  # the filter word: never sent
    REMOVED = "removed"  # sent, then deleted in Rompslomp (the office threw it away)


# A POST may have reached Rompslomp: settled by a lookup before anything else.
IN_FLIGHT = frozenset({ExportStatus.SENDING, ExportStatus.UNKNOWN})
# Not (yet) in Rompslomp and nothing on its way: simon_api lets the office reopen.
REOPENABLE = frozenset({ExportStatus.FAILED, ExportStatus.SKIPPED, ExportStatus.REMOVED})
# Nothing left to do for this archive.
FINAL = frozenset({ExportStatus.SENT, *REOPENABLE})
