"""Answers checked against their questions: pure functions.

Stored forms: text, choice and date ("YYYY-MM-DD") as strings, number as an exact decimal
string ("12345", "1.5"), yes_no as a bool, multi_choice as a list of strings in the order
of the options. `None`, `""` and `[]` mean "no answer" and clear one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.enums import QuestionType
from shared.problems import DomainError, FieldProblem

TEXT_LIMIT = 10_000
NUMBER_LIMIT = 30  # characters of the decimal as written: a meter reading, not a hash
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Question = Mapping[str, Any]


class AnswerProblem(ValueError):
    pass


class InvalidAnswers(DomainError):
    status = 422
    code = "invalid_answer"
    title = "Unprocessable Content"


def _text(value: Any, _: Question) -> str:
    if not isinstance(value, str):
        raise AnswerProblem("Expected text")
    if len(value) > TEXT_LIMIT or "\x00" in value:
        raise AnswerProblem(f"Text of at most {TEXT_LIMIT} characters, without NUL")
    return value


def _number(value: Any, _: Question) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AnswerProblem("Expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise AnswerProblem("Expected a number, e.g. 12345 or 1.5") from None
    if not number.is_finite() or len(str(value)) > NUMBER_LIMIT:
        raise AnswerProblem("Expected a finite number of at most 30 characters")
    return format(number.normalize(), "f") if number else "0"


def _yes_no(value: Any, _: Question) -> bool:
    if not isinstance(value, bool):
        raise AnswerProblem("Expected true or false")
    return value


def _choice(value: Any, question: Question) -> str:
    options = question.get("options") or []
    if not isinstance(value, str) or value not in options:
        raise AnswerProblem(f"Expected one of: {', '.join(options)}")
    return value


def _multi_choice(value: Any, question: Question) -> list[str]:
    options: list[str] = question.get("options") or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AnswerProblem("Expected a list of options")
    unknown = [item for item in value if item not in options]
    if unknown:
        raise AnswerProblem(
            f"Not an option: {', '.join(unknown)}; expected some of: {', '.join(options)}"
        )
    return [option for option in options if option in value]


def _date(value: Any, _: Question) -> str:
    if not isinstance(value, str) or not DATE.match(value):
        raise AnswerProblem("Expected a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise AnswerProblem("Not a date in the calendar") from None


CHECKS = {
    QuestionType.TEXT: _text,
    QuestionType.NUMBER: _number,
    QuestionType.YES_NO: _yes_no,
    QuestionType.CHOICE: _choice,
    QuestionType.MULTI_CHOICE: _multi_choice,
    QuestionType.DATE: _date,
}


def is_unanswered(value: Any) -> bool:
    return value is None or value == "" or value == []


def merge_answers(
    questions: Sequence[Question], saved: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """`saved` with `given` applied (a cleared answer disappears); every bad answer is
    named by its question's key in one 422 (`answers.<key>`)."""
    by_key = {question["key"]: question for question in questions}
    merged = dict(saved)
    problems = []
    for key, value in given.items():
        question = by_key.get(key)
        if question is None:
            problems.append(FieldProblem(field=f"answers.{key}", message="No such question"))
            continue
        if is_unanswered(value):
            merged.pop(key, None)
            continue
        try:
            merged[key] = CHECKS[question["type"]](value, question)
        except AnswerProblem as problem:
            problems.append(FieldProblem(field=f"answers.{key}", message=str(problem)))
    if problems:
        raise InvalidAnswers(
            "; ".join(f"{p.field}: {p.message}" for p in problems[:5]), errors=problems
        )
    return merged


def missing_keys(questions: Sequence[Question], answers: Mapping[str, Any]) -> list[str]:
    """The required questions without an answer, in the order they are asked."""
    return [
        question["key"]
        for question in questions
        if question.get("required") and is_unanswered(answers.get(question["key"]))
    ]
