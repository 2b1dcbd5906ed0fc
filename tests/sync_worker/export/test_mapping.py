"""R-EXPORT-3/4: the invoice mapping, table-driven, Decimal end to end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from services.sync_worker.export import checks
from services.sync_worker.export.mapping import (
    InvoiceSettings,
    ProductInfo,
    api_reference,
    hours,
    invoice_description,
    invoice_lines,
    matches_filter_word,
    sales_invoice,
    split_description,
)
from shared.events import WorkOrderArchivedV1

WORK = ProductInfo(id=101, description="Arbeid monteur", price=Decimal("65.00"), vat_type_id=1)
TRAVEL = ProductInfo(id=102, description="Reistijd", price=Decimal("45.50"), vat_type_id=1)
CALL_OUT = ProductInfo(id=103, description="Voorrijkosten", price=Decimal("35"), vat_type_id=2)
ALL = InvoiceSettings(work_time_product=WORK, travel_time_product=TRAVEL, standard_product=CALL_OUT)


def article(number: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": number,
        "rompslomp_id": 900 + number,
        "source": "rompslomp",
        "active": True,
        "code": f"A{number}",
        "description": f"Artikel {number}",
        "price": "10.00",
        "vat_type_id": 3,
        "vat_rate": "0.21",
        **overrides,
    }


def snapshot(
    *,
    work: tuple[int, ...] = (),
    travel: tuple[int, ...] = (),
    materials: tuple[tuple[str, str, dict[str, Any]], ...] = (),
    description: str = "CV-ketel onderhoud",
    customer: dict[str, Any] | None = None,
    address: dict[str, Any] | None = None,
) -> WorkOrderArchivedV1:
    entries = [
        {"id": n, "kind": kind, "minutes": m, "employee": None, "date": None}
        for n, (kind, m) in enumerate(
            [*(("work", m) for m in work), *(("travel", m) for m in travel)]
        )
    ]
    return WorkOrderArchivedV1.model_validate(
        {
            "tenant_id": 7,
            "work_order_id": 42,
            "number": "2026-00012",
            "archive_seq": 1,
            "description": description,
            "customer": customer
            if customer is not None
            else {
                "id": 1,
                "rompslomp_id": 501,
                "source": "rompslomp",
                "active": True,
                "number": "K1",
                "name": "Jansen",
                "address": None,
                "zipcode": None,
                "city": None,
                "country_code": "NL",
                "email": None,
            },
            "work_address": address,
            "assignee": None,
            "planned_date": None,
            "completed_at": None,
            "archived_at": dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC),
            "time_entries": entries,
            "materials": [
                {"id": n, "article": art, "quantity": q, "unit_price": p}
                for n, (q, p, art) in enumerate(materials, start=1)
            ],
        }
    )


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (15, Decimal("0.25")),
        (30, Decimal("0.50")),
        (120, Decimal("2")),
        (20, Decimal("0.33")),
        (40, Decimal("0.67")),
        (1, Decimal("0.02")),  # 0.01666… → 0.02
        (0, Decimal("0")),
        (90, Decimal("1.5")),
    ],
)
def test_minutes_become_hours_half_up_to_two_decimals(minutes: int, expected: Decimal) -> None:
    assert hours(minutes) == expected
    assert isinstance(hours(minutes), Decimal)


@pytest.mark.parametrize(
    ("work", "travel", "work_qty", "travel_qty"),
    [
        ((120,), (15,), Decimal("2.00"), Decimal("0.25")),
        ((60, 60), (15, 15), Decimal("2.00"), Decimal("0.50")),
        # Summed before rounding: 3 × 10 min = 0.5 h, not 3 × 0.17.
        ((10, 10, 10), (20,), Decimal("0.50"), Decimal("0.33")),
        ((20,), (), Decimal("0.33"), None),
    ],
)
def test_time_lines_sum_entries_before_rounding(
    work: tuple[int, ...], travel: tuple[int, ...], work_qty: Decimal, travel_qty: Decimal | None
) -> None:
    lines = invoice_lines(snapshot(work=work, travel=travel), ALL)
    by_product = {line.product_id: line for line in lines}
    assert by_product[WORK.id].quantity == work_qty
    if travel_qty is None:
        assert TRAVEL.id not in by_product  # quantity 0 is left out
    else:
        assert by_product[TRAVEL.id].quantity == travel_qty


def test_lines_come_in_the_specified_order_with_prices_and_vat_of_their_products() -> None:
    settings = InvoiceSettings(
        work_time_product=WORK,
        travel_time_product=TRAVEL,
        standard_product=CALL_OUT,
        description_as_first_line=True,
    )
    lines = invoice_lines(
        snapshot(
            work=(120,),
            travel=(15,),
            materials=(("2", "12.50", article(1)), ("1.5", "10.00", article(2, vat_type_id=4))),
        ),
        settings,
    )
    assert [
        (x.description, x.quantity, x.price_per_unit, x.product_id, x.vat_type_id) for x in lines
    ] == [
        ("CV-ketel onderhoud", Decimal("1"), Decimal("0"), None, None),
        ("Arbeid monteur", Decimal("2.00"), Decimal("65.00"), 101, 1),
        ("Reistijd", Decimal("0.25"), Decimal("45.50"), 102, 1),
        ("Artikel 1", Decimal("2.00"), Decimal("12.50"), 901, 3),
        ("Artikel 2", Decimal("1.50"), Decimal("10.00"), 902, 4),
        ("Voorrijkosten", Decimal("1"), Decimal("35"), 103, 2),
    ]


@pytest.mark.parametrize(
    ("settings", "expected_products"),
    [
        (InvoiceSettings(), [901]),
        (InvoiceSettings(work_time_product=WORK), [101, 901]),
        (InvoiceSettings(travel_time_product=TRAVEL), [102, 901]),
        (InvoiceSettings(standard_product=CALL_OUT), [901, 103]),
        (ALL, [101, 102, 901, 103]),
    ],
)
def test_unconfigured_products_give_no_line(
    settings: InvoiceSettings, expected_products: list[int]
) -> None:
    lines = invoice_lines(
        snapshot(work=(60,), travel=(30,), materials=(("1", "10", article(1)),)), settings
    )
    assert [line.product_id for line in lines] == expected_products


@pytest.mark.parametrize(
    ("booked", "expected"),
    [("12.50", Decimal("12.50")), ("0", Decimal("0")), ("99.9999", Decimal("99.9999"))],
)
def test_a_material_is_charged_at_its_booked_price(booked: str, expected: Decimal) -> None:
    (line,) = invoice_lines(
        snapshot(materials=(("1", booked, article(1, price="10")),)), InvoiceSettings()
    )
    assert line.price_per_unit == expected


def test_a_material_takes_the_current_vat_type_of_its_rompslomp_product() -> None:
    current = {901: ProductInfo(id=901, description="x", price=Decimal(1), vat_type_id=9)}
    (line,) = invoice_lines(
        snapshot(materials=(("1", "10", article(1)),)), InvoiceSettings(), current
    )
    assert line.vat_type_id == 9


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0.004", None),
        ("0.005", Decimal("0.01")),
        ("2.345", Decimal("2.35")),
        ("3", Decimal("3.00")),
    ],
)
def test_material_quantities_round_half_up_and_zero_lines_are_left_out(
    quantity: str, expected: Decimal | None
) -> None:
    lines = invoice_lines(snapshot(materials=((quantity, "1", article(1)),)), InvoiceSettings())
    assert [line.quantity for line in lines] == ([expected] if expected is not None else [])


@pytest.mark.parametrize(
    ("description", "first_line", "expected"),
    [
        ("Lekkage keuken", True, [("Lekkage keuken", None)]),
        ("Lekkage keuken", False, []),
        ("   ", True, []),
        ("x" * 255, True, [("x" * 255, None)]),
        ("a" * 255 + "rest van de tekst", True, [("a" * 255, "rest van de tekst")]),
    ],
)
def test_the_work_description_as_a_text_only_first_line(
    description: str, first_line: bool, expected: list[tuple[str, str | None]]
) -> None:
    lines = invoice_lines(
        snapshot(description=description),
        InvoiceSettings(description_as_first_line=first_line),
    )
    assert [(x.description, x.extended_description) for x in lines] == expected
    for line in lines:
        assert (line.quantity, line.price_per_unit, line.product_id) == (
            Decimal(1),
            Decimal(0),
            None,
        )


def test_split_description_keeps_255_characters_in_description() -> None:
    assert split_description("k" * 300) == ("k" * 255, "k" * 45)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (None, "Werkbon 2026-00012"),
        (
            {
                "id": 1,
                "street": "Dorpsstraat 1",
                "zipcode": "1234 AB",
                "city": "Utrecht",
                "country_code": "NL",
            },
            "Werkbon 2026-00012, werkadres Dorpsstraat 1, 1234 AB Utrecht",
        ),
        (
            {"id": 1, "street": None, "zipcode": None, "city": "Utrecht", "country_code": None},
            "Werkbon 2026-00012, werkadres Utrecht",
        ),
        (
            {"id": 1, "street": None, "zipcode": None, "city": None, "country_code": None},
            "Werkbon 2026-00012",
        ),
    ],
)
def test_the_invoice_description_names_number_and_work_address(
    address: dict[str, Any] | None, expected: str
) -> None:
    assert invoice_description(snapshot(address=address)) == expected


@pytest.mark.parametrize(
    ("description", "word", "matches"),
    [
        ("Garantie reparatie", "garantie", True),
        ("Reparatie onder GARANTIE", "Garantie", True),
        ("Reparatie", "garantie", False),
        ("Garantie", "", False),
        ("Garantie", None, False),
        ("Garantie", "  ", False),
        ("Nagarantiewerk", "garantie", True),
    ],
)
def test_the_filter_word_is_a_case_insensitive_substring(
    description: str, word: str | None, matches: bool
) -> None:
    assert matches_filter_word(description, word) is matches


def test_the_payload_is_a_concept_with_decimal_strings_and_a_deterministic_reference() -> None:
    snap = snapshot(work=(120,), travel=(15,), materials=(("2", "12.5", article(1)),))
    payload = sales_invoice(snap, invoice_lines(snap, ALL), contact_id=501).to_payload()
    assert payload["api_reference"] == api_reference(7, 42) == "simon-7-wo-42"
    assert payload["contact_id"] == 501
    assert "_publish" not in payload
    assert payload["invoice_lines"][0] == {
        "description": "Arbeid monteur",
        "price_per_unit": "65.00",
        "quantity": "2.00",
        "vat_type_id": 1,
        "product_id": 101,
    }
    for line in payload["invoice_lines"]:
        assert isinstance(line["price_per_unit"], str)
        assert isinstance(line["quantity"], str)


@pytest.mark.parametrize(
    ("customer", "materials", "codes"),
    [
        ({}, (), ["no_customer"]),
        ({"source": "simon", "rompslomp_id": None}, (), ["customer_not_from_rompslomp"]),
        ({"rompslomp_id": None}, (), ["customer_not_from_rompslomp"]),
        ({"active": False}, (), ["customer_gone"]),
        (
            None,
            (("1", "1", article(1, source="simon", rompslomp_id=None)),),
            ["article_not_from_rompslomp"],
        ),
        (None, (("1", "1", article(1, active=False)),), ["article_gone"]),
        (None, (("1", "1", article(1)),), []),
    ],
)
def test_local_checks_name_what_blocks_the_invoice(
    customer: dict[str, Any] | None, materials: Any, codes: list[str]
) -> None:
    base = {
        "id": 1,
        "rompslomp_id": 501,
        "source": "rompslomp",
        "active": True,
        "number": None,
        "name": "Jansen",
        "address": None,
        "zipcode": None,
        "city": None,
        "country_code": None,
        "email": None,
    }
    if customer == {}:
        snap = snapshot(materials=materials).model_copy(update={"customer": None})
    else:
        snap = snapshot(customer={**base, **(customer or {})}, materials=materials)
    problems = checks.local_problems(snap)
    assert [p.code for p in problems] == codes
    for problem in problems:
        assert "2026-00012" in problem.message
        assert problem.action
