"""The sync's run-level log lines (R-LOG-3): plain Dutch for office staff, with the
English beside. The lines about single records are in record_lines.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.sync_worker.log import writer
from services.sync_worker.masterdata.entities import EntitySpec
from shared.clock import AMSTERDAM
from shared.enums import LogLevel


@dataclass(frozen=True)
class Line:
    level: LogLevel
    message: str
    message_en: str
    action: str = writer.NO_ACTION
    action_en: str = writer.NO_ACTION_EN
    subject: str | None = None  # the record code a line is about


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    deactivated: int = 0
    removed: int = 0
    skipped: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.deactivated or self.removed or self.skipped)


def summary(spec: EntitySpec, counts: Counts) -> Line:
    skipped = f" {counts.skipped} overgeslagen." if counts.skipped else ""
    skipped_en = f" {counts.skipped} skipped." if counts.skipped else ""
    return Line(
        LogLevel.INFO,
        f"{spec.label.capitalize()} bijgewerkt vanuit Rompslomp: {counts.added} toegevoegd, "
        f"{counts.changed} gewijzigd, {counts.deactivated} gedeactiveerd, "
        f"{counts.removed} verwijderd.{skipped}",
        f"{spec.label_en.capitalize()} updated from Rompslomp: {counts.added} added, "
        f"{counts.changed} changed, {counts.deactivated} deactivated, "
        f"{counts.removed} removed.{skipped_en}",
    )


def incomplete(spec: EntitySpec) -> Line:
    return Line(
        LogLevel.WARNING,
        f"Rompslomp gaf geen volledige lijst met {spec.label} (de lijst veranderde tijdens het "
        "ophalen): er is niets verwijderd.",
        f"Rompslomp did not return a complete list of {spec.label_en} (it changed while being "
        "read): nothing was removed.",
        "Geen actie nodig. De volgende synchronisatie controleert het opnieuw.",
        "No action needed. The next sync checks again.",
    )


def interrupted(spec: EntitySpec, reason: str, reason_en: str, retry_at: datetime) -> Line:
    at = retry_at.astimezone(AMSTERDAM).strftime("%H:%M")
    return Line(
        LogLevel.WARNING,
        f"Ophalen van {spec.label} uit Rompslomp is onderbroken ({reason}). Er is niets "
        f"verwijderd; Simon probeert het om {at} opnieuw.",
        f"Reading {spec.label_en} from Rompslomp was interrupted ({reason_en}). Nothing was "
        f"removed; Simon tries again at {at} (Amsterdam time).",
    )


def gave_up(spec: EntitySpec, attempts: int) -> Line:
    return Line(
        LogLevel.ERROR,
        f"Synchroniseren van {spec.label} is mislukt: Rompslomp was na {attempts} pogingen "
        "niet bereikbaar. Er is niets verwijderd.",
        f"Syncing {spec.label_en} failed: Rompslomp could not be reached after {attempts} "
        "attempts. Nothing was removed.",
        "Probeer het later opnieuw met Nu synchroniseren. Blijft het mislukken, neem dan "
        "contact op met support.",
        "Try again later with Sync now. If it keeps failing, contact support.",
    )


def refused(spec: EntitySpec, status: int | None) -> Line:
    return Line(
        LogLevel.ERROR,
        f"Rompslomp weigert het ophalen van {spec.label} (foutcode {status}). Er is niets "
        "verwijderd.",
        f"Rompslomp refused to list {spec.label_en} (status {status}). Nothing was removed.",
        "Controleer in Rompslomp of de gekozen administratie API-toegang heeft en of Simon "
        f"{spec.label} mag beheren; koppel anders opnieuw.",
        "Check in Rompslomp that the chosen administration has API access and that Simon may "
        f"manage {spec.label_en}; otherwise connect again.",
    )


def crashed(spec: EntitySpec) -> Line:
    return Line(
        LogLevel.ERROR,
        f"Synchroniseren van {spec.label} is mislukt door een fout in Simon. Er is niets "
        "verwijderd.",
        f"Syncing {spec.label_en} failed because of an error in Simon. Nothing was removed.",
        "Probeer het opnieuw met Nu synchroniseren. Blijft het mislukken, neem dan contact op "
        "met support.",
        "Try again with Sync now. If it keeps failing, contact support.",
    )


def not_connected(spec: EntitySpec) -> Line:
    return Line(
        LogLevel.ERROR,
        f"Synchroniseren van {spec.label} kan niet: Simon is niet gekoppeld met Rompslomp.",
        f"Cannot sync {spec.label_en}: Simon is not connected to Rompslomp.",
        writer.RECONNECT,
        writer.RECONNECT_EN,
    )


def held_back(spec: EntitySpec, removing: int, rows: int) -> Line:
    share = round(100 * removing / rows) if rows else 100
    return Line(
        LogLevel.WARNING,
        f"Rompslomp mist {removing} van de {rows} {spec.label} ({share} %). Dat is ongewoon "
        "veel, dus Simon heeft niets verwijderd of gedeactiveerd.",
        f"{removing} of {rows} {spec.label_en} ({share} %) are missing in Rompslomp. That is "
        "unusually many, so Simon removed or deactivated nothing.",
        f"Controleer in Rompslomp of deze {spec.label} echt weg zijn. Zo ja, bevestig het "
        "verwijderen in Simon (Integraties → Rompslomp → Verwijderen bevestigen).",
        f"Check in Rompslomp whether these {spec.label_en} are really gone. If so, confirm "
        "the removal in Simon (Integrations → Rompslomp → Confirm removal).",
    )


def confirmed(spec: EntitySpec, counts: Counts) -> Line:
    return Line(
        LogLevel.INFO,
        f"Verwijderen van {spec.label} bevestigd: {counts.deactivated} gedeactiveerd, "
        f"{counts.removed} verwijderd.",
        f"Removal of {spec.label_en} confirmed: {counts.deactivated} deactivated, "
        f"{counts.removed} removed.",
    )


def simon_made_cleaned(spec: EntitySpec, deactivated: int, removed: int) -> Line:
    return Line(
        LogLevel.INFO,
        f"Opgeruimd: {deactivated + removed} {spec.label} die in Simon waren aangemaakt "
        f"({removed} verwijderd, {deactivated} gedeactiveerd omdat Simon er nog gegevens bij "
        f"heeft). {spec.label.capitalize()} worden in Rompslomp beheerd.",
        f"Cleaned up {deactivated + removed} {spec.label_en} created in Simon ({removed} "
        f"removed, {deactivated} deactivated because Simon still holds data on them). "
        f"{spec.label_en.capitalize()} are managed in Rompslomp.",
        f"Geen actie nodig. Maak nieuwe {spec.label} aan in Rompslomp.",
        f"No action needed. Create new {spec.label_en} in Rompslomp.",
    )


def write(session: AsyncSession, tenant_id: int, spec: EntitySpec, line: Line) -> None:
    writer.write(
        session,
        tenant_id,
        level=line.level,
        table=spec.table,
        message=line.message,
        action=line.action,
        message_en=line.message_en,
        action_en=line.action_en,
        subject=line.subject,
    )


async def write_all(
    session: AsyncSession, tenant_id: int, spec: EntitySpec, lines: Sequence[Line]
) -> None:
    """A run's lines in one statement (R-LOG-3: one per record it changed)."""
    await writer.write_many(
        session,
        tenant_id,
        [
            writer.Entry(
                level=line.level,
                message=line.message,
                action=line.action,
                message_en=line.message_en,
                action_en=line.action_en,
                table_name=spec.table,
                subject=line.subject,
            )
            for line in lines
        ],
    )
