"""What the OpenAPI documents promise a generated client (issue 14; `make fuzz` checks the
running services against them, these pin the rules that made it pass)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import String

from services.simon_api.main import create_app as create_simon_api
from services.simon_api.settings import SimonApiSettings
from services.sync_worker.main import create_app as create_sync_worker
from services.sync_worker.settings import SyncWorkerSettings
from shared.db import Base
from shared.ids import MAX_ID

UNUSED_DB = "postgresql://unused/unused"
DOCUMENTS = {
    "simon_api": create_simon_api(SimonApiSettings(database_url=UNUSED_DB)).openapi(),
    "sync_worker": create_sync_worker(SyncWorkerSettings(database_url=UNUSED_DB)).openapi(),
}
METHODS = {"get", "post", "put", "patch", "delete"}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


@pytest.mark.parametrize("service", DOCUMENTS)
def test_every_error_is_documented_as_problem_json(service: str) -> None:
    for method, path, operation in operations(DOCUMENTS[service]):
        for status, response in operation["responses"].items():
            if status.isdigit() and int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (
                    method,
                    path,
                    status,
                )
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize("service", DOCUMENTS)
def test_errors_raised_around_the_routes_are_documented(service: str) -> None:
    for method, path, operation in operations(DOCUMENTS[service]):
        responses = operation["responses"]
        assert "503" in responses, (method, path)
        assert "Retry-After" in responses["503"]["headers"]
        if operation.get("security"):
            assert "401" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= responses.keys(), (method, path)


@pytest.mark.parametrize("service", DOCUMENTS)
def test_constraints_are_json_schema_keywords_with_exact_bounds(service: str) -> None:
    """pydantic writes `ge`/`le` for constraints it cannot place, and 2^63 - 1 as a float
    (2^63): a client would then send values the service refuses."""
    for schema in walk(DOCUMENTS[service]):
        assert not {"ge", "le", "gt", "lt", "max_digits", "decimal_places"} & schema.keys()
        for bound in ("maximum", "minimum"):
            if schema.get("type") == "integer" and bound in schema:
                assert isinstance(schema[bound], int), schema
                assert schema[bound] <= MAX_ID


@pytest.mark.parametrize("service", DOCUMENTS)
def test_no_default_contradicts_its_own_schema(service: str) -> None:
    for schema in walk(DOCUMENTS[service]):
        if "default" in schema and schema["default"] is None:
            text = json.dumps(schema)
            assert '"null"' in text, schema
        if "const" in schema and "default" in schema:
            assert schema["default"] == schema["const"], schema


def test_decimals_travel_as_strings_with_their_digit_limits() -> None:
    schemas = DOCUMENTS["simon_api"]["components"]["schemas"]
    price = schemas["ArticleCreate"]["properties"]["price"]
    assert price["type"] == "string"
    assert price["pattern"] == r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,4})?$"
    quantity = schemas["MaterialCreate"]["properties"]["quantity"]
    assert quantity["type"] == "string"
    assert "pattern" in quantity


def test_patch_fields_that_refuse_null_do_not_offer_it() -> None:
    schemas = DOCUMENTS["simon_api"]["components"]["schemas"]
    for model, field in (
        ("CustomerUpdate", "name"),
        ("ArticleUpdate", "price"),
        ("TimeEntryUpdate", "minutes"),
        ("MaterialUpdate", "quantity"),
        ("EmployeeUpdate", "active"),
        ("TemplateUpdate", "questions"),
    ):
        property_ = schemas[model]["properties"][field]
        assert "null" not in json.dumps(property_), (model, field, property_)


def test_a_choice_question_needs_options_in_the_document_too() -> None:
    question = DOCUMENTS["simon_api"]["components"]["schemas"]["Question"]
    assert question["if"]["properties"]["type"]["enum"] == ["choice", "multi_choice"]
    assert question["then"]["required"] == ["options"]
    assert question["else"]["properties"]["options"] == {"type": "null"}


def test_yeses_the_request_must_carry_are_const_true_and_required() -> None:
    schemas = DOCUMENTS["sync_worker"]["components"]["schemas"]
    for model, field in (("SettingsIn", "accept_terms"), ("DeactivateRequest", "confirm")):
        assert schemas[model]["properties"][field]["const"] is True
        assert field in schemas[model]["required"]


def test_the_wipe_names_its_tables() -> None:
    tables = DOCUMENTS["sync_worker"]["components"]["schemas"]["WipeRequest"]["properties"]
    assert "contact_person" in tables["tables"]["items"]["enum"]


def _request_models() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in DOCUMENTS["simon_api"]["components"]["schemas"].items():
        if name.endswith(("Create", "Update", "In")):
            yield name, schema


# Which table a request model writes; a string's maxLength must fit the column.
WRITES = {
    "Customer": "customers",
    "Article": "articles",
    "ArticleGroup": "article_groups",
    "WorkAddress": "work_addresses",
    "ContactPerson": "contact_persons",
    "Object": "objects",
    "Employee": "employees",
    "WorkOrder": "work_orders",
}


def _inline(node: Any, document: dict[str, Any]) -> Any:
    """`node` with every `$ref` to a component replaced by the component."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(document["components"]["schemas"][node["$ref"].split("/")[-1]], document)
        return {key: _inline(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, document) for item in node]
    return node


def test_string_limits_fit_the_columns_they_are_stored_in() -> None:
    """A customer `number` of 51 characters or an object `brand` of 101 were 500s: the
    schema allowed what the column could not hold."""
    tables = Base.metadata.tables
    checked = 0
    for name, schema in _request_models():
        prefix = next((p for p in WRITES if name.startswith(p)), None)
        if prefix is None:
            continue
        table = tables[WRITES[prefix]]
        for field, reference in schema.get("properties", {}).items():
            if field not in table.c or not isinstance(table.c[field].type, String):
                continue
            property_ = _inline(reference, DOCUMENTS["simon_api"])  # an enum is a $ref
            length = table.c[field].type.length
            limits = [s["maxLength"] for s in walk(property_) if "maxLength" in s]
            limits += [len(v) for s in walk(property_) for v in s.get("enum", [])]
            if length is not None:
                assert limits, (name, field, "no limit in the document", length)
                assert max(limits) <= length, (name, field, limits, length)
                checked += 1
    assert checked >= 10
