"""Forms on a work order: a template's questions with the answers given so far."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from services.simon_api.fields import EntityId
from services.simon_api.form_templates.schemas import QuestionOut
from shared.events import AnswerValue


class FormAttach(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        json_schema_extra={"examples": [{"template_id": 1}]},
    )

    template_id: EntityId


class FormAnswers(BaseModel):
    """The answers to save, by question key; `null` clears one, keys not sent keep theirs."""

    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        json_schema_extra={
            "examples": [
                {
                    "answers": {
                        "meterstand": 12345,
                        "gereinigd": True,
                        "toestand": "goed",
                        "volgende_beurt": "2027-12-01",
                    }
                }
            ]
        },
    )

    answers: Annotated[dict[str, Any], Field(max_length=100)]


class FormOut(BaseModel):
    id: int
    work_order_id: int
    template_id: int
    template_version: int = Field(description="The template version this form asks")
    name: str
    questions: list[QuestionOut]
    answers: dict[str, AnswerValue] = Field(
        description="By question key: text, number (a decimal string), yes_no (bool), choice, "
        "multi_choice (list) and date (YYYY-MM-DD); unanswered questions are absent",
        examples=[{"meterstand": "12345", "gereinigd": True}],
    )
    missing: list[str] = Field(description="Keys of required questions not yet answered")
    complete: bool
    created_at: dt.datetime
    updated_at: dt.datetime
