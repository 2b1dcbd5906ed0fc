"""What blocks an export (R-EXPORT-2), each problem with plain Dutch for the log (R-LOG-3).

`local_problems` needs only the snapshot; the checks against Rompslomp (contact and
products still there) are in products.py and produce the same `Problem`s.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.enums import RecordSource
from shared.events import WorkOrderArchivedV1

REARCHIVE = "heropen de werkbon, corrigeer hem en archiveer opnieuw"
REARCHIVE_EN = "reopen the work order, correct it and archive it again"
FIX_SETTINGS = (
    "Kies bij Integraties → Rompslomp → Instellingen een bestaand product en verstuur de "
    "werkbon opnieuw."
)
FIX_SETTINGS_EN = (
    "Choose an existing product in Integrations → Rompslomp → Settings and resend the work order."
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    action: str
    message_en: str
    action_en: str


def no_customer(number: str) -> Problem:
    return Problem(
        "no_customer",
        f"Werkbon {number} heeft geen klant: er is geen conceptfactuur gemaakt.",
        f"Kies een klant uit Rompslomp: {REARCHIVE}.",
        f"Work order {number} has no customer: no concept invoice was created.",
        f"Choose a customer from Rompslomp: {REARCHIVE_EN}.",
    )


def customer_not_from_rompslomp(number: str, name: str) -> Problem:
    return Problem(
        "customer_not_from_rompslomp",
        f"De klant {name} van werkbon {number} komt niet uit Rompslomp.",
        f"Kies een klant uit Rompslomp: {REARCHIVE}.",
        f"Customer {name} of work order {number} does not come from Rompslomp.",
        f"Choose a customer from Rompslomp: {REARCHIVE_EN}.",
    )


def customer_gone(number: str, name: str) -> Problem:
    return Problem(
        "customer_gone",
        f"De klant {name} van werkbon {number} bestaat niet meer in Rompslomp.",
        f"Kies een bestaande klant uit Rompslomp: {REARCHIVE}.",
        f"Customer {name} of work order {number} no longer exists in Rompslomp.",
        f"Choose an existing customer from Rompslomp: {REARCHIVE_EN}.",
    )


def article_not_from_rompslomp(number: str, code: str) -> Problem:
    return Problem(
        "article_not_from_rompslomp",
        f"Artikel {code} op werkbon {number} komt niet uit Rompslomp.",
        f"Vervang het door een artikel uit Rompslomp: {REARCHIVE}.",
        f"Article {code} on work order {number} does not come from Rompslomp.",
        f"Replace it with an article from Rompslomp: {REARCHIVE_EN}.",
    )


def article_gone(number: str, code: str) -> Problem:
    return Problem(
        "article_gone",
        f"Artikel {code} op werkbon {number} bestaat niet meer in Rompslomp.",
        f"Vervang het door een bestaand artikel uit Rompslomp: {REARCHIVE}.",
        f"Article {code} on work order {number} no longer exists in Rompslomp.",
        f"Replace it with an existing article from Rompslomp: {REARCHIVE_EN}.",
    )


def product_gone(number: str, label: str, label_en: str, code: str) -> Problem:
    return Problem(
        "configured_product_gone",
        f"Het product voor {label} ({code}) bestaat niet meer in Rompslomp; werkbon {number} "
        "is niet verstuurd.",
        FIX_SETTINGS,
        f"The {label_en} product ({code}) no longer exists in Rompslomp; work order {number} "
        "was not sent.",
        FIX_SETTINGS_EN,
    )


def not_configured(number: str) -> Problem:
    return Problem(
        "not_configured",
        f"De integratie met Rompslomp is niet ingesteld; werkbon {number} is niet verstuurd.",
        "Sla de instellingen op bij Integraties → Rompslomp en verstuur de werkbon opnieuw.",
        f"The Rompslomp integration is not configured; work order {number} was not sent.",
        "Save the settings in Integrations → Rompslomp and resend the work order.",
    )


def refused(number: str, reason: str) -> Problem:
    return Problem(
        "refused_by_rompslomp",
        f"Rompslomp weigerde de conceptfactuur voor werkbon {number}: {reason}",
        "Los de oorzaak op (instellingen of gegevens in Rompslomp) en verstuur de werkbon "
        f"opnieuw, of {REARCHIVE}.",
        f"Rompslomp refused the concept invoice for work order {number}: {reason}",
        "Fix the cause (settings or data in Rompslomp) and resend the work order, or "
        f"{REARCHIVE_EN}.",
    )


def filtered(number: str, filter_word: str) -> Problem:
    """Not an error: R-EXPORT-4 says the log says so (info)."""
    return Problem(
        "filter_word",
        f"Werkbon {number} is niet naar Rompslomp gestuurd: de werkomschrijving bevat het "
        f"filterwoord '{filter_word}'.",
        "Geen actie nodig",
        f"Work order {number} was not sent to Rompslomp: its work description contains the "
        f"filter word '{filter_word}'.",
        "No action needed",
    )


NOT_ACTIVE = Problem(
    "integration_not_active",
    "De integratie met Rompslomp is niet actief: er wordt niets verstuurd.",
    "Activeer de integratie bij Integraties → Rompslomp.",
    "The Rompslomp integration is not active: nothing is sent.",
    "Activate the integration in Integrations → Rompslomp.",
)


def rearchived_after_sent(number: str) -> Problem:
    """A warning, not an error: the invoice of an earlier archive stays as it is."""
    return Problem(
        "rearchived_after_sent",
        f"Werkbon {number} is opnieuw gearchiveerd; er bestaat al een conceptfactuur in "
        "Rompslomp voor deze werkbon. Er is geen tweede conceptfactuur gemaakt.",
        "Pas de bestaande conceptfactuur in Rompslomp aan. Of verwijder hem daar, klik bij "
        "de export op 'Controleer', heropen de werkbon en archiveer opnieuw.",
        f"Work order {number} was archived again; a concept invoice for it already exists in "
        "Rompslomp. No second concept invoice was created.",
        "Change the existing concept invoice in Rompslomp. Or delete it there, click 'Check' "
        "on the export, reopen the work order and archive it again.",
    )


def invoice_removed(number: str) -> Problem:
    return Problem(
        "invoice_removed",
        f"De conceptfactuur van werkbon {number} bestaat niet meer in Rompslomp (verwijderd).",
        "Wilt u opnieuw factureren: heropen de werkbon, corrigeer hem zo nodig en archiveer "
        "opnieuw; er wordt dan een nieuwe conceptfactuur gemaakt.",
        f"The concept invoice of work order {number} no longer exists in Rompslomp (deleted).",
        "To invoice again: reopen the work order, correct it if needed and archive it again; "
        "a new concept invoice is then created.",
    )


def sent_after_all(number: str) -> Problem:
    """Rompslomp did create the invoice of an export we had marked failed."""
    return Problem(
        "sent_after_failure",
        f"De conceptfactuur voor werkbon {number} is toch aangemaakt in Rompslomp; de eerdere "
        "foutmelding voor deze werkbon vervalt.",
        "Controleer de conceptfactuur in Rompslomp.",
        f"The concept invoice for work order {number} was created in Rompslomp after all; the "
        "earlier error for this work order no longer applies.",
        "Check the concept invoice in Rompslomp.",
    )


def duplicate_invoices(number: str, count: int) -> Problem:
    return Problem(
        "duplicate_invoices",
        f"Rompslomp bevat {count} conceptfacturen voor werkbon {number}.",
        "Verwijder in Rompslomp de conceptfacturen die te veel zijn.",
        f"Rompslomp holds {count} concept invoices for work order {number}.",
        "Delete the surplus concept invoices in Rompslomp.",
    )


def _customer_problem(snapshot: WorkOrderArchivedV1) -> Problem | None:
    number, customer = snapshot.number, snapshot.customer
    if customer is None:
        return no_customer(number)
    if customer.source != RecordSource.ROMPSLOMP or customer.rompslomp_id is None:
        return customer_not_from_rompslomp(number, customer.name)
    if not customer.active:
        return customer_gone(number, customer.name)
    return None


def customer_usable(snapshot: WorkOrderArchivedV1) -> bool:
    """The customer is a Rompslomp contact as far as Simon knows (worth asking Rompslomp)."""
    return _customer_problem(snapshot) is None


def local_problems(snapshot: WorkOrderArchivedV1) -> list[Problem]:
    """What the snapshot alone shows: no customer, a customer or article not from Rompslomp
    (or already deactivated there by the cleanup)."""
    number = snapshot.number
    customer_problem = _customer_problem(snapshot)
    problems: list[Problem] = [customer_problem] if customer_problem else []
    seen: set[int] = set()
    for material in snapshot.materials:
        article = material.article
        if article.id in seen:
            continue
        seen.add(article.id)
        if article.source != RecordSource.ROMPSLOMP or article.rompslomp_id is None:
            problems.append(article_not_from_rompslomp(number, article.code))
        elif not article.active:
            problems.append(article_gone(number, article.code))
    return problems
