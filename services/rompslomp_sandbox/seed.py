"""Realistic Dutch demo data: deterministic for a given seed, fast enough for 100k contacts."""

from __future__ import annotations

import random
from decimal import Decimal

from .state import Company, Contact, Product, SandboxState

FIRST_NAMES = (
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Willem",
    "Johan",
    "Gerrit",
    "Bram",
    "Daan",
    "Lars",
    "Sven",
    "Ruben",
    "Thijs",
    "Jeroen",
    "Martijn",
    "Sander",
    "Anne",
    "Sanne",
    "Lotte",
    "Eva",
    "Fleur",
    "Femke",
    "Inge",
    "Marieke",
    "Annemiek",
    "Joke",
    "Ria",
    "Ingrid",
    "Sophie",
    "Noor",
    "Emma",
    "Julia",
    "Tessa",
    "Lisa",
    "Mohamed",
    "Yusuf",
    "Fatima",
    "Priya",
    "Dewi",
    "Anouk",
)
LAST_NAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "Kuipers",
    "Postma",
)
TRADES = (
    "Bakkerij",
    "Slagerij",
    "Bouwbedrijf",
    "Installatietechniek",
    "Loodgietersbedrijf",
    "Schildersbedrijf",
    "Hoveniersbedrijf",
    "Autobedrijf",
    "Kapsalon",
    "Tandartspraktijk",
    "Administratiekantoor",
    "Timmerbedrijf",
    "Elektrotechniek",
    "Dakdekkersbedrijf",
    "Vastgoedbeheer",
    "Restaurant",
    "Café",
    "Fysiotherapie",
    "Makelaardij",
    "Transport",
)
LEGAL_FORMS = ("B.V.", "V.O.F.", "", "", "Holding B.V.")
STREETS = (
    "Kerkstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Molenweg",
    "Hoofdstraat",
    "Stationsweg",
    "Nieuwstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Wilhelminastraat",
    "Prins Bernhardlaan",
    "Industrieweg",
    "Marktplein",
    "Kastanjelaan",
    "Eikenlaan",
    "Lindelaan",
    "Parallelweg",
    "Oranjestraat",
    "Burgemeester de Kockstraat",
    "Havenkade",
    "Singel",
    "Herengracht",
    "Keizersgracht",
    "Grebbeberglaan",
    "Zuiderzeestraatweg",
    "Poldermolen",
)
# city, first two zipcode digits (roughly right), area code
CITIES = (
    ("Amsterdam", 10, "020"),
    ("Rotterdam", 30, "010"),
    ("Den Haag", 25, "070"),
    ("Utrecht", 35, "030"),
    ("Eindhoven", 56, "040"),
    ("Groningen", 97, "050"),
    ("Tilburg", 50, "013"),
    ("Almere", 13, "036"),
    ("Breda", 48, "076"),
    ("Nijmegen", 65, "024"),
    ("Apeldoorn", 73, "055"),
    ("Haarlem", 20, "023"),
    ("Arnhem", 68, "026"),
    ("Enschede", 75, "053"),
    ("Amersfoort", 38, "033"),
    ("Zwolle", 80, "038"),
    ("Leiden", 23, "071"),
    ("Maastricht", 62, "043"),
    ("Dordrecht", 33, "078"),
    ("Leeuwarden", 89, "058"),
    ("Alkmaar", 18, "072"),
    ("Delft", 26, "015"),
    ("Deventer", 74, "0570"),
    ("Hoorn", 16, "0229"),
)
ZIP_LETTERS = "ABCDEFGHJKLMNPRTVWXZ"
FORBIDDEN_ZIP_LETTERS = ("SA", "SD", "SS")
# description, price excl. VAT, extended description
CATALOGUE: tuple[tuple[str, str, str | None], ...] = (
    ("Cv-ketel onderhoud", "89.00", "Jaarlijkse onderhoudsbeurt inclusief rookgasmeting"),
    ("Cv-ketel storing verhelpen", "115.00", None),
    ("Cv-ketel Intergas Xtreme 36 CW5", "2195.00", "Inclusief montage en inbedrijfstelling"),
    ("Voorrijkosten", "45.00", None),
    ("Arbeidsloon monteur per uur", "62.50", None),
    ("Arbeidsloon leerling-monteur per uur", "38.00", None),
    ("Koperen bocht 15mm", "1.45", None),
    ("Koperen bocht 22mm", "2.35", None),
    ("Koperen buis 15mm per meter", "6.80", None),
    ("Koperen buis 22mm per meter", "11.20", None),
    ("Knelkoppeling 15mm", "3.95", None),
    ('Kogelkraan 1/2"', "8.75", None),
    ("Radiatorkraan thermostatisch", "34.50", None),
    ("Radiator Radson Compact 600x1000", "189.00", None),
    ("Vloerverwarming verdeler 6 groepen", "425.00", None),
    ("Thermostaat Honeywell T6", "139.00", None),
    ("Expansievat 18 liter", "42.00", None),
    ("Overstortventiel", "24.90", None),
    ("Sifon PVC 40mm", "7.50", None),
    ("PVC afvoerbuis 110mm per meter", "9.25", None),
    ("Toiletpot Geberit wandcloset", "245.00", None),
    ("Inbouwreservoir Geberit UP320", "289.00", None),
    ("Mengkraan keuken", "119.00", None),
    ("Douchethermostaat Grohe", "329.00", None),
    ("Boiler 80 liter elektrisch", "465.00", None),
    ("Warmtepomp lucht/water 7 kW", "6450.00", "Inclusief buitenunit, exclusief subsidie"),
    ("Mechanische ventilatie box", "349.00", None),
    ("Rookmelder", "29.95", None),
    ("Koolmonoxidemelder", "34.95", None),
    ("Ontstoppen afvoer", "95.00", None),
    ("Lekdetectie", "175.00", "Met thermografische camera"),
    ("Gasleiding keuren", "85.00", None),
    ("Afvoer oude ketel", "35.00", None),
    ("Klein materiaal", "12.50", None),
)
VARIANTS = ("", " (set van 5)", " (set van 10)", " - premium", " - RVS", " - wit", " - zwart")


def zipcode(rng: random.Random, prefix: int) -> str:
    letters = "SA"
    while letters in FORBIDDEN_ZIP_LETTERS:
        letters = rng.choice(ZIP_LETTERS) + rng.choice(ZIP_LETTERS)
    return f"{prefix:02d}{rng.randint(0, 99):02d} {letters}"


def _mail_name(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", "") if ch.isalnum())


def _contact(rng: random.Random, record_id: int, number: str) -> Contact:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, prefix, area = rng.choice(CITIES)
    person = f"{first} {last}"
    is_individual = rng.random() < 0.3
    contact = Contact(
        id=record_id,
        is_individual=is_individual,
        is_supplier=rng.random() < 0.1,
        contact_person_name=person,
        address=f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
        zipcode=zipcode(rng, prefix),
        city=city,
        country_code="NL",
        phone=(
            f"06-{rng.randint(10_000_000, 99_999_999)}"
            if rng.random() < 0.5
            else f"{area}-{rng.randint(1_000_000, 9_999_999)}"[:11]
        ),
        contact_number=number,
    )
    if is_individual:
        contact.contact_person_email_address = f"{_mail_name(first)}.{_mail_name(last)}@gmail.com"
    else:
        trade = rng.choice(TRADES)
        form = rng.choice(LEGAL_FORMS)
        name = f"{trade} {last[0].upper()}{last[1:]}"
        contact.company_name = f"{name} {form}".strip()
        domain = _mail_name(f"{trade}{last}")[:30]
        contact.contact_person_email_address = f"{_mail_name(first)}@{domain}.nl"
        contact.kvk_number = f"{rng.randint(10_000_000, 99_999_999)}"
        contact.vat_number = f"NL{rng.randint(100_000_000, 999_999_999)}B01"
    return contact


def seed_contacts(state: SandboxState, company: Company, count: int, seed: int = 0) -> int:
    rng = random.Random(f"contacts-{seed}")
    for _ in range(count):
        number = f"K{company.next_contact_number:05d}"
        company.next_contact_number += 1
        if number in company.contact_by_number:
            continue
        contact = _contact(rng, state.next_id(), number)
        company.contacts.add(contact.id, contact)
        company.contact_by_number[number] = contact.id
    return count


def seed_products(state: SandboxState, company: Company, count: int, seed: int = 0) -> int:
    rng = random.Random(f"products-{seed}")
    vat_ids = {v.name: v.id for v in company.vat_types}
    for index in range(count):
        description, price, extended = CATALOGUE[index % len(CATALOGUE)]
        variant = VARIANTS[(index // len(CATALOGUE)) % len(VARIANTS)]
        round_number = index // (len(CATALOGUE) * len(VARIANTS))
        suffix = f" #{round_number + 1}" if round_number else ""
        factor = Decimal(1) if not variant and not round_number else Decimal(rng.randint(90, 160))
        unit = (
            Decimal(price)
            if factor == 1
            else (Decimal(price) * factor / 100).quantize(Decimal("0.01"))
        )
        product = Product(
            id=state.next_id(),
            has_stock=rng.random() < 0.4,
            description=f"{description}{variant}{suffix}",
            extended_description=extended,
            price_per_unit=unit,
            vat_type_id=vat_ids.get("vat_high"),
            product_code=f"P{company.next_product_code}",
        )
        company.next_product_code += 1
        company.products.add(product.id, product)
    return count


def seed_demo(state: SandboxState) -> None:
    """The demo login: a paying installer's company plus a free (API-less) one."""
    from .resources.companies import create_company

    company = create_company(
        state,
        {
            "name": "Installatiebedrijf De Vries B.V.",
            "owner_name": "Jan de Vries",
            "address": "Industrieweg 12",
            "zipcode": "3542 AD",
            "city": "Utrecht",
            "country_code": "NL",
            "kvk_number": "30123456",
            "email": "info@devries-installatie.nl",
            "website": "https://devries-installatie.nl",
            "type": "bv",
            "vat_number": "NL812345678B01",
        },
    )
    seed_contacts(state, company, 25, seed=1)
    seed_products(state, company, 15, seed=1)
    free = create_company(
        state,
        {"name": "Hobbyproject (Gratis)", "type": "eenmanszaak", "vat_liable": False},
    )
    free.api_accessible = False
