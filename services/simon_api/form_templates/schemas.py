"""Form templates: a name and typed questions, designed by the office."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.simon_api.fields import NO_NUL, Name, Patch
from shared.events import QuestionType

CHOICE_TYPES = ("choice", "multi_choice")
QuestionKey = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}$"),
    Field(
        description="Names the answer in `answers`; letters, digits, `_` and `-`, unique in "
        "the template",
        examples=["meterstand"],
    ),
]
Option = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    key: QuestionKey
    label: Name = Field(examples=["Meterstand"])
    type: QuestionType
    required: bool = False
    options: list[Option] | None = Field(
        default=None,
        max_length=50,
        validate_default=True,
        description="The choices of a `choice` or `multi_choice` question (and only there)",
    )
    on_invoice: bool = Field(
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


def _unique_keys(questions: list[Question] | None) -> list[Question] | None:
    if questions is not None:
        keys = [question.key for question in questions]
        doubles = sorted({key for key in keys if keys.count(key) > 1})
        if doubles:
            raise ValueError(f"Question keys must be unique; repeated: {', '.join(doubles)}")
    return questions


class TemplateCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", regex_engine="python-re", json_schema_extra={"examples": [EXAMPLE]}
    )

    name: Name
    questions: Questions

    check_keys = field_validator("questions")(_unique_keys)


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

    check_keys = field_validator("questions")(_unique_keys)


class TemplateOut(BaseModel):
    id: int
    name: str
    version: int = Field(description="Goes up when a filled template is edited")
    questions: list[Question]
    active: bool = Field(description="False once deleted while filled forms use it")
    created_at: dt.datetime
    updated_at: dt.datetime
