"""What blocks an export (R-EXPORT-2), each problem with plain Dutch for the log (R-LOG-3).

`local_problems` needs only the snapshot; the checks against Rompslomp (contact and
products still there) are in products.py and produce the same `Problem`s.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def local_problems(snapshot: WorkOrderArchivedV1) -> list[Problem]:
    """What the snapshot alone shows: no customer, a customer or article not from Rompslomp
    (or already deactivated there by the cleanup)."""
    number = snapshot.number
    customer = snapshot.customer
    problems: list[Problem] = []
    if customer is None:
        problems.append(no_customer(number))
    elif customer.source != "rompslomp" or customer.rompslomp_id is None:
        problems.append(customer_not_from_rompslomp(number, customer.name))
    elif not customer.active:
        problems.append(customer_gone(number, customer.name))
    seen: set[int] = set()
    for material in snapshot.materials:
        article = material.article
        if article.id in seen:
            continue
        seen.add(article.id)
        if article.source != "rompslomp" or article.rompslomp_id is None:
            problems.append(article_not_from_rompslomp(number, article.code))
        elif not article.active:
            problems.append(article_gone(number, article.code))
    return problems
