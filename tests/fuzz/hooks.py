"""schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS by scripts/fuzz.py).

`positive_data_acceptance` counts every 400/422 to a schema-valid request as a failure. Most
of them are (the document said less than the service checks), but a few rules cannot be
said in a schema: whether an id in a body exists in the tenant, whether a cursor was handed
out by this list, whether an Idempotency-Key was used before, whether a form answer fits
its template. Those answer 422 with their own `code`; every other 422 and every 400 to a
schema-valid request stays a failure. schemathesis.toml lets 422 through the built-in check
so that this one decides.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import schemathesis

# Each: a rule about data the request points at or the tenant's state, not its shape.
SEMANTIC_CODES = frozenset(
    {
        "unknown_reference",  # an id in the body that the tenant does not have
        "inactive_reference",  # … that is deactivated (a customer gone from Rompslomp)
        "work_address_mismatch",  # a record of another customer than the work order's
        "contact_person_mismatch",
        "object_mismatch",
        "invalid_cursor",  # a string with a cursor's alphabet this list never handed out
        "idempotency_key_reused",  # the key stood for another request before
        "invalid_answer",  # a form answer that does not fit its template's question
        "duplicate_question_key",  # two questions of a template with one key
        "invalid_image",  # base64 that is not a PNG
        "nothing_to_sync",  # neither customers nor articles chosen
        "unknown_product",  # a product id or code Rompslomp does not know
        "unknown_administration",  # an administration the Rompslomp login does not have
        "administration_not_accessible",  # a free-plan administration (no API access)
        "all_tables_required",  # the first activation wipes every table
    }
)


def _code(response: Any) -> str | None:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@schemathesis.check
def schema_valid_data_refused_only_for_semantic_rules(
    ctx: Any, response: Any, case: Any
) -> bool | None:
    """A schema-valid request answered 400, or 422 with a code outside SEMANTIC_CODES,
    means the document says less than the service checks."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if any(value is None for value in (case.path_parameters or {}).values()):
        # A stateful step filled a path from a response's null (an article's
        # `article_group_id`): `/article-groups/None` is not schema-valid, whatever the
        # case's mode says.
        return None
    if response.status_code == 400 or (
        response.status_code == 422 and _code(response) not in SEMANTIC_CODES
    ):
        raise AssertionError(
            f"A schema-valid request was refused with {response.status_code} "
            f"`{_code(response)}`: the OpenAPI document must say what is checked"
        )
    return None


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """At generation (every phase, the stateful one included): see `before_call`."""
    if headers:
        for name, value in list(headers.items()):
            if name.lower() == "idempotency-key" and _well_formed_key(value):
                headers[name] = uuid.uuid4().hex
    return headers


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A well-formed Idempotency-Key gets a fresh value per call. The generator repeats
    short values ("0", "a") across unrelated requests; the service then, as promised,
    replays the first answer or refuses the other body, and the fuzzer would read a replay
    of a since-deleted record as "created, then not found". Key reuse and replay have
    tests of their own (tests/simon_api/test_idempotency.py); malformed keys are sent as
    generated."""
    headers = kwargs.get("headers") or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and _well_formed_key(value):
            headers[name] = uuid.uuid4().hex


def _well_formed_key(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and all("!" <= c <= "~" for c in value)
