"""Form templates: a name and typed questions, designed by the office."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.simon_api.fields import HAS_TEXT, Name, Patch
from shared.enums import QuestionType

CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)

QuestionKey = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}$"),
    Field(
        description="Names the answer in `answers`; letters, digits, `_` and `-`, unique in "
        "the template",
        examples=["meterstand"],
    ),
]
Option = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=HAS_TEXT)]


# What the type decides, said in the document too (JSON Schema `if`/`then`/`else`), so a
# client generated from it knows that a choice question needs its options and a text
# question has none.
_OPTIONS_FIT_THE_TYPE: dict[str, Any] = {
    "if": {"properties": {"type": {"enum": [t.value for t in CHOICE_TYPES]}}, "required": ["type"]},
    "then": {
        "properties": {"options": {"type": "array", "minItems": 1, "uniqueItems": True}},
        "required": ["options"],
    },
    "else": {"properties": {"options": {"type": "null"}}},
}


class Question(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re", json_schema_extra=_OPTIONS_FIT_THE_TYPE
    )

    key: QuestionKey
    label: Name = Field(examples=["Meterstand"])
    type: QuestionType
    required: StrictBool = False
    options: list[Option] | None = Field(
        default=None,
        max_length=50,
        validate_default=True,
        description="The choices of a `choice` or `multi_choice` question (and only there), "
        "each once",
    )
    on_invoice: StrictBool = Field(
        default=False,
        description="The answer goes on the concept invoice as a text line: `Label: answer`",
    )

    @field_validator("options")
    @classmethod
    def _options_fit_the_type(cls, options: list[str] | None, info: ValidationInfo) -> Any:
        kind = info.data.get("type")
        if kind in CHOICE_TYPES:
            if not options:
                raise ValueError(f"A {kind} question needs at least one option")
            if len(set(options)) != len(options):
                raise ValueError("Options must differ from each other")
        elif options is not None:
            raise ValueError(f"A {kind} question has no options")
        return options


class QuestionOut(BaseModel):
    """A question as stored and shown."""

    key: str
    label: str
    type: QuestionType
    required: bool = False
    options: list[str] | None = None
    on_invoice: bool = False


Questions = Annotated[list[Question], Field(min_length=1, max_length=100)]

EXAMPLE: dict[str, Any] = {
    "name": "Onderhoud cv-ketel",
    "questions": [
        {"key": "meterstand", "label": "Meterstand", "type": "number", "on_invoice": True},
        {"key": "gereinigd", "label": "Brander gereinigd", "type": "yes_no", "required": True},
        {
            "key": "toestand",
            "label": "Toestand ketel",
            "type": "choice",
            "options": ["goed", "matig", "slecht"],
        },
        {"key": "volgende_beurt", "label": "Volgende beurt", "type": "date"},
    ],
}


def repeated_keys(questions: list[Question]) -> list[str]:
    """Keys used by more than one question (the service answers 422
    `duplicate_question_key`: JSON Schema cannot say "unique by one member")."""
    keys = [question.key for question in questions]
    return sorted({key for key in keys if keys.count(key) > 1})


class TemplateCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re", json_schema_extra={"examples": [EXAMPLE]}
    )

    name: Name
    questions: Questions


class TemplateUpdate(BaseModel):
    """Send what changes. A template already filled on a work order gets a new version;
    the forms filled before keep theirs."""

    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {"questions": [{"key": "druk", "label": "Waterdruk (bar)", "type": "number"}]}
            ]
        },
    )

    name: Patch[Name] = None
    questions: Patch[Questions] = None
    active: Patch[StrictBool] = Field(
        default=None,
        description="false retires the template: no longer offered for new forms; the forms "
        "filled with it keep it. true offers it again.",
    )


class TemplateOut(BaseModel):
    id: int
    name: str
    version: int = Field(description="Goes up when a filled template is edited")
    questions: list[QuestionOut]
    active: bool = Field(description="False once deleted while filled forms use it")
    created_at: dt.datetime
    updated_at: dt.datetime
