"""Issue 13 on the invoice: answers marked `on_invoice` become text lines right after the
description line, and the invoice description names the object worked on."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from services.sync_worker.export.mapping import (
    InvoiceSettings,
    invoice_description,
    invoice_lines,
)
from shared.events import WorkOrderArchivedV1
from tests.sync_worker.export.test_mapping import ALL, snapshot


def question(key: str, kind: str, answer: Any, *, on_invoice: bool = True) -> dict[str, Any]:
    label = key.capitalize()
    return {"key": key, "label": label, "type": kind, "on_invoice": on_invoice, "answer": answer}


def with_details(**extra: Any) -> WorkOrderArchivedV1:
    base = snapshot(work=(120,)).model_dump(mode="json")
    return WorkOrderArchivedV1.model_validate({**base, **extra})


def form(*questions: dict[str, Any], form_id: int = 1) -> dict[str, Any]:
    return {
        "id": form_id,
        "template_id": 3,
        "template_version": 1,
        "name": "Onderhoud",
        "questions": list(questions),
    }


def texts(lines: list[Any]) -> list[str]:
    return [line.description for line in lines]


def test_answers_on_the_invoice_follow_the_description_line() -> None:
    snap = with_details(forms=[form(question("meterstand", "number", "12345"))])
    lines = invoice_lines(snap, replace(ALL, description_as_first_line=True))
    assert texts(lines)[:3] == ["CV-ketel onderhoud", "Meterstand: 12345", "Arbeid monteur"]
    answer = lines[1]
    assert (answer.quantity, answer.price_per_unit, answer.product_id, answer.vat_type_id) == (
        Decimal(1),
        Decimal(0),
        None,
        None,
    )


def test_without_the_description_line_the_answers_come_first() -> None:
    snap = with_details(forms=[form(question("meterstand", "number", "12345"))])
    lines = invoice_lines(snap, InvoiceSettings(work_time_product=ALL.work_time_product))
    assert texts(lines) == ["Meterstand: 12345", "Arbeid monteur"]


@pytest.mark.parametrize(
    ("kind", "answer", "line"),
    [
        ("text", "Lekkage verholpen", "Opmerking: Lekkage verholpen"),
        ("number", "1.5", "Opmerking: 1.5"),
        ("yes_no", True, "Opmerking: ja"),
        ("yes_no", False, "Opmerking: nee"),
        ("choice", "goed", "Opmerking: goed"),
        ("multi_choice", ["pakking", "elektrode"], "Opmerking: pakking, elektrode"),
        ("date", "2027-03-01", "Opmerking: 01-03-2027"),
    ],
)
def test_each_answer_type_reads_as_a_person_would_write_it(
    kind: str, answer: Any, line: str
) -> None:
    snap = with_details(forms=[form(question("opmerking", kind, answer))])
    assert texts(invoice_lines(snap, InvoiceSettings())) == [line]


def test_unanswered_and_unmarked_questions_stay_off_the_invoice() -> None:
    snap = with_details(
        forms=[
            form(
                question("meterstand", "number", None),
                question("intern", "text", "alleen voor kantoor", on_invoice=False),
                question("keuze", "multi_choice", []),
                question("druk", "number", "1.8"),
            ),
            form(question("gereinigd", "yes_no", True), form_id=2),
        ]
    )
    assert texts(invoice_lines(snap, InvoiceSettings())) == ["Druk: 1.8", "Gereinigd: ja"]


def test_a_long_answer_continues_in_the_extended_description() -> None:
    snap = with_details(forms=[form(question("opmerking", "text", "x" * 300))])
    [line] = invoice_lines(snap, InvoiceSettings())
    assert line.description == "Opmerking: " + "x" * 244
    assert line.extended_description == "x" * 56


@pytest.mark.parametrize(
    ("thing", "expected"),
    [
        (
            {"id": 4, "name": "CV-ketel", "brand": "Remeha", "model": "Tzerra 24"},
            "Werkbon 2026-00012, object: CV-ketel Remeha Tzerra 24",
        ),
        ({"id": 4, "name": "Warmtepomp"}, "Werkbon 2026-00012, object: Warmtepomp"),
        (None, "Werkbon 2026-00012"),
    ],
)
def test_the_invoice_description_names_the_object(
    thing: dict[str, Any] | None, expected: str
) -> None:
    assert invoice_description(with_details(object=thing)) == expected


def test_the_object_follows_the_work_address() -> None:
    snap = with_details(
        work_address={
            "id": 1,
            "street": "Nieuwstraat 93",
            "zipcode": "9740 RE",
            "city": "Groningen",
            "country_code": "NL",
        },
        object={"id": 4, "name": "CV-ketel", "brand": "Remeha", "model": "Tzerra 24"},
    )
    assert invoice_description(snap) == (
        "Werkbon 2026-00012, werkadres Nieuwstraat 93, 9740 RE Groningen, "
        "object: CV-ketel Remeha Tzerra 24"
    )
