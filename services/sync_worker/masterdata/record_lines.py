"""One log line per record a sync changed (R-LOG-3), after the first import:

    Klant 'Bakkerij Jansen' (K00012) gewijzigd vanuit Rompslomp: adres.
    Klant 'Bakkerij Jansen' (K00012) verwijderd: niet meer in Rompslomp.
    Klant 'Bakkerij Jansen' (K00012) gedeactiveerd: er staan werkbonnen op.
    Artikel P123 uit Rompslomp overgeslagen: prijs 99999999999.00 is te groot.

Each line carries the record's code as its subject (`GET /logs?q=K00012`). Pure functions.
"""

from __future__ import annotations

from collections.abc import Collection

from services.sync_worker.log import writer
from services.sync_worker.masterdata.entities import EntitySpec
from services.sync_worker.masterdata.messages import Line
from services.sync_worker.masterdata.skipped import Skip
from shared.enums import LogLevel
from shared.master_data_retire import Retirement
from shared.master_data_sync import Change

# What Simon holds on a record that keeps it (deactivated, not deleted): Dutch, English.
REASONS: dict[str, tuple[str, str]] = {
    "work_orders": ("er staan werkbonnen op", "work orders refer to it"),
    "contact_persons": ("er zijn contactpersonen in Simon", "Simon holds contact persons"),
    "objects": ("er zijn objecten in Simon", "Simon holds objects"),
    "work_addresses": (
        "er zijn werkadressen in Simon gemaakt",
        "Simon holds work addresses made in Simon",
    ),
    "article_group": ("het zit in een artikelgroep", "it is in an article group"),
}


def _names(spec: EntitySpec, name: str | None, code: str | None) -> tuple[str, str]:
    """ "Klant 'Bakkerij Jansen' (K00012)", "Customer 'Bakkerij Jansen' (K00012)"."""
    shown = f" '{name}'" if name else ""
    tail = f" ({code})" if code else ""
    return f"{spec.noun}{shown}{tail}", f"{spec.noun_en}{shown}{tail}"


def change(spec: EntitySpec, item: Change) -> Line:
    record, record_en = _names(spec, item.name, item.code)
    if item.kind == "added":
        return Line(
            LogLevel.INFO,
            f"{record} toegevoegd vanuit Rompslomp.",
            f"{record_en} added from Rompslomp.",
            subject=item.code,
        )
    fields = ", ".join(spec.fields.get(f, (f, f))[0] for f in item.fields)
    fields_en = ", ".join(spec.fields.get(f, (f, f))[1] for f in item.fields)
    if item.reactivated:
        what, what_en = "weer actief: staat weer in Rompslomp", "active again: back in Rompslomp"
    elif item.kind == "restored":
        what = "teruggezet naar de gegevens uit Rompslomp (in Simon gewijzigd)"
        what_en = "put back to Rompslomp's data (it was edited in Simon)"
    else:
        what, what_en = "gewijzigd vanuit Rompslomp", "changed from Rompslomp"
    return Line(
        LogLevel.INFO,
        f"{record} {what}" + (f": {fields}." if fields else "."),
        f"{record_en} {what_en}" + (f": {fields_en}." if fields_en else "."),
        subject=item.code,
    )


def retirement(
    spec: EntitySpec, item: Retirement, *, suppliers: Collection[int] = (), simon_made: bool = False
) -> Line | None:
    """The line for a retired record (None: nothing happened to it)."""
    record, record_en = _names(spec, item.name, item.code)
    if simon_made:
        why, why_en = "in Simon aangemaakt", "created in Simon"
        action = f"Geen actie nodig. {spec.label.capitalize()} worden in Rompslomp beheerd."
        action_en = f"No action needed. {spec.label_en.capitalize()} are managed in Rompslomp."
    elif item.rompslomp_id in suppliers:
        why, why_en = "is nu leverancier in Rompslomp", "is now a supplier in Rompslomp"
        action, action_en = writer.NO_ACTION, writer.NO_ACTION_EN
    else:
        why, why_en = "niet meer in Rompslomp", "no longer in Rompslomp"
        action, action_en = writer.NO_ACTION, writer.NO_ACTION_EN
    if item.outcome == "removed":
        return Line(
            LogLevel.INFO,
            f"{record} verwijderd: {why}.",
            f"{record_en} removed: {why_en}.",
            action,
            action_en,
            subject=item.code,
        )
    if item.outcome != "deactivated":
        return None
    kept = "; ".join(REASONS.get(r, (r, r))[0] for r in item.reasons)
    kept_en = "; ".join(REASONS.get(r, (r, r))[1] for r in item.reasons)
    return Line(
        LogLevel.WARNING,
        f"{record} gedeactiveerd: {kept} ({why}).",
        f"{record_en} deactivated: {kept_en} ({why_en}).",
        f"Geen actie nodig. {spec.the_noun.capitalize()} blijft bewaard maar is niet meer te "
        "kiezen.",
        f"No action needed. The {spec.noun_en.lower()} is kept but can no longer be chosen.",
        subject=item.code,
    )


def skipped(spec: EntitySpec, skip: Skip) -> Line:
    if skip.code:
        record = record_en = skip.code
    elif skip.name:
        record = record_en = f"'{skip.name}'"
    elif skip.key.isdigit():
        record, record_en = f"met id {skip.key}", f"with id {skip.key}"
    else:
        record, record_en = "zonder id", "without an id"
    return Line(
        LogLevel.WARNING,
        f"{spec.noun} {record} uit Rompslomp overgeslagen: {skip.reason}.",
        f"{spec.noun_en} {record_en} from Rompslomp skipped: {skip.reason_en}.",
        f"Pas {spec.the_noun} aan in Rompslomp; Simon neemt het daarna vanzelf over.",
        f"Correct the {spec.noun_en.lower()} in Rompslomp; Simon then picks it up by itself.",
        subject=skip.code,
    )
