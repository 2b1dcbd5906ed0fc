"""Contract tests: the sandbox's responses validate against Rompslomp's own Swagger 2.0 spec.

The spec is read from the path in ``ROMPSLOMP_SPEC``; without it these tests are skipped.
Every 2xx JSON response under ``/api/v1`` is validated (strictly: no property the spec does
not list) against the response schema of its operation and status; every error body against
the spec's ``Error`` definition. Swagger's ``x-nullable`` becomes ``null`` in the type, and
its non-JSON-Schema types ``date``/``datetime`` become strings.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from fastapi import FastAPI

from tests.rompslomp_sandbox.support import invoice_body

NON_JSON_TYPES = {"date": "string", "datetime": "string", "file": "string"}
ANNOTATIONS = {"description", "example", "format", "title", "readOnly", "xml", "externalDocs"}


def resolve(node: Any, root: dict[str, Any]) -> Any:
    """Inline every local ``$ref``."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target, root)
        return {key: resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, root) for item in node]
    return node


def to_json_schema(node: Any, *, strict: bool) -> Any:
    """A Swagger 2.0 schema as JSON Schema (draft 4)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: to_json_schema(sub, strict=strict) for name, sub in value.items()}
        elif key == "items" or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = to_json_schema(value, strict=strict)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub, strict=strict) for sub in value]
        elif key.startswith("x-") or key in ANNOTATIONS:
            continue
        else:
            out[key] = value
    if isinstance(out.get("type"), str):
        out["type"] = NON_JSON_TYPES.get(out["type"], out["type"])
    if node.get("x-nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = resolve(document, document)
        self.operations: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for template, item in self.document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "/?$")
            for method, operation in item.items():
                if method != "parameters":
                    self.operations.append((method.upper(), pattern, template, operation))
        self.error_schema = to_json_schema(self.document["definitions"]["Error"], strict=True)

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        for op_method, pattern, template, operation in self.operations:
            if op_method == method and pattern.match(path):
                return template, operation
        raise AssertionError(f"{method} {path} is not an operation of the spec")


@pytest.fixture(scope="module")
def spec() -> Spec:
    location = os.environ.get("ROMPSLOMP_SPEC")
    if not location:
        pytest.skip(
            "ROMPSLOMP_SPEC is unset: set it to the path of Rompslomp's swagger.yaml "
            "to run the contract tests"
        )
    path = Path(location)
    if not path.is_file():
        pytest.skip(f"ROMPSLOMP_SPEC={location} is not a file")
    return Spec(yaml.safe_load(path.read_text(encoding="utf-8")))


class Recorder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.validated: set[tuple[str, str, int]] = set()

    async def __call__(self, response: httpx.Response) -> None:
        request = response.request
        path = request.url.path
        if not path.startswith("/api/v1"):
            return
        await response.aread()
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if response.status_code >= 400:
            assert is_json, f"{request.method} {path}: error without JSON body"
            jsonschema.validate(response.json()["error"], self.spec.error_schema)
            return
        template, operation = self.spec.operation(request.method, path)
        documented = operation.get("responses", {})
        status = str(response.status_code)
        assert status in documented, f"{request.method} {template}: {status} not in the spec"
        schema = documented[status].get("schema")
        if schema is None or not is_json:
            return
        json_schema = to_json_schema(schema, strict=True)
        jsonschema.Draft4Validator(json_schema).validate(response.json())
        self.validated.add((request.method, template, response.status_code))


@pytest.fixture
async def checked(app: FastAPI, spec: Spec) -> AsyncIterator[tuple[httpx.AsyncClient, Recorder]]:
    recorder = Recorder(spec)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox.test", event_hooks={"response": [recorder]}
    ) as client:
        yield client, recorder


C = "/api/v1/companies/{company_id}"


async def test_companies_and_me_match_the_spec(
    checked: tuple[httpx.AsyncClient, Recorder], company_id: int, auth: dict[str, str]
) -> None:
    client, recorder = checked
    await client.post(
        "/_sandbox/companies", json={"name": "Gratis", "api_accessible": False, "city": "Ede"}
    )
    body = {"company": {"name": "Via API B.V.", "vat_number": "NL001234567B01", "type": "vof"}}
    assert (await client.post("/api/v1/companies", json=body, headers=auth)).status_code == 201
    await client.get("/api/v1/companies", headers=auth)
    await client.get("/api/v1/me", headers=auth)
    assert recorder.validated >= {
        ("GET", "/api/v1/companies", 200),
        ("POST", "/api/v1/companies", 201),
        ("GET", "/api/v1/me", 200),
    }


async def test_contacts_match_the_spec(
    checked: tuple[httpx.AsyncClient, Recorder],
    company_id: int,
    base: str,
    auth: dict[str, str],
    contact_id: int,
) -> None:
    client, recorder = checked
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"contacts": 60})
    person = {"contact": {"is_individual": True, "contact_person_name": "Eva Smit"}}
    created = await client.post(f"{base}/contacts", json=person, headers=auth)
    new_id = created.json()["contact"]["id"]
    await client.get(f"{base}/contacts", params={"per_page": 100}, headers=auth)
    await client.get(f"{base}/contacts", params={"selection": "suppliers"}, headers=auth)
    await client.get(f"{base}/contacts", params={"search[q]": "bakkerij"}, headers=auth)
    await client.get(f"{base}/contacts/{contact_id}", headers=auth)
    patch = {"contact": {"phone": "030-1234567", "free_1": "vaste klant"}}
    await client.patch(f"{base}/contacts/{new_id}", json=patch, headers=auth)
    await client.post(f"{base}/contacts", json={"contact": {}}, headers=auth)  # 422 body
    await client.delete(f"{base}/contacts/{new_id}", headers=auth)
    assert recorder.validated >= {
        ("GET", f"{C}/contacts", 200),
        ("POST", f"{C}/contacts", 201),
        ("GET", f"{C}/contacts/{{id}}", 200),
        ("PATCH", f"{C}/contacts/{{id}}", 200),
    }


async def test_products_match_the_spec(
    checked: tuple[httpx.AsyncClient, Recorder], company_id: int, base: str, auth: dict[str, str]
) -> None:
    client, recorder = checked
    await client.post(f"/_sandbox/companies/{company_id}/seed", json={"products": 40})
    body = {
        "product": {
            "has_stock": True,
            "invoice_line": {"description": "Machine", "price_per_unit": "1895.0"},
        }
    }
    created = await client.post(f"{base}/products", json=body, headers=auth)
    product_id = created.json()["product"]["id"]
    await client.get(f"{base}/products", params={"per_page": 100}, headers=auth)
    await client.get(f"{base}/products", params={"search[q]": "koper"}, headers=auth)
    await client.get(f"{base}/products/{product_id}", headers=auth)
    patch = {"product": {"invoice_line": {"price_per_unit": "1995.0", "product_code": "M1"}}}
    await client.patch(f"{base}/products/{product_id}", json=patch, headers=auth)
    assert recorder.validated >= {
        ("GET", f"{C}/products", 200),
        ("POST", f"{C}/products", 201),
        ("GET", f"{C}/products/{{id}}", 200),
        ("PATCH", f"{C}/products/{{id}}", 200),
    }


async def test_vat_types_match_the_spec(
    checked: tuple[httpx.AsyncClient, Recorder], base: str, auth: dict[str, str]
) -> None:
    client, recorder = checked
    listed = await client.get(f"{base}/vat_types", params={"since": "2015-01-01"}, headers=auth)
    for vat_type in listed.json()["vat_types"]:
        await client.get(f"{base}/vat_types/{vat_type['id']}", headers=auth)
    assert recorder.validated >= {
        ("GET", f"{C}/vat_types", 200),
        ("GET", f"{C}/vat_types/{{id}}", 200),
    }


async def test_sales_invoices_match_the_spec(
    checked: tuple[httpx.AsyncClient, Recorder],
    base: str,
    auth: dict[str, str],
    contact_id: int,
) -> None:
    client, recorder = checked
    url = f"{base}/sales_invoices"
    concept = await client.post(url, json=invoice_body(contact_id, api_reference="A"), headers=auth)
    invoice_id = concept.json()["sales_invoice"]["id"]
    variants = [
        invoice_body(None),
        invoice_body(contact_id, _publish=True, payments=[{"amount": "100.0"}]),
        invoice_body(
            contact_id,
            payment_method="pay_custom",
            custom_payment_instructions="Contant bij oplevering",
            creates_pay_url_on_publish=True,
            sends_copy_by_email_on_publish=True,
            validates_vat_number=False,
            vat_number="BE0123456789",
            sale_type="service",
            currency="usd",
            currency_exchange_rate="1.08",
        ),
        invoice_body(None, contact={"company_name": "Inline B.V.", "city": "Delft"}),
    ]
    for body in variants:
        assert (await client.post(url, json=body, headers=auth)).status_code == 201
    await client.get(url, headers=auth)
    await client.get(url, params={"selection": "published"}, headers=auth)
    await client.get(url, params={"search[api_reference]": "A"}, headers=auth)
    await client.get(f"{url}/{invoice_id}", headers=auth)
    lines = [{"description": "Extra", "price_per_unit": "12.5", "quantity": "2"}]
    patch = {"sales_invoice": {"description": "Onderhoud", "invoice_lines": lines}}
    await client.patch(f"{url}/{invoice_id}", json=patch, headers=auth)
    publish = {"sales_invoice": {"_publish": True}}
    await client.patch(f"{url}/{invoice_id}", json=publish, headers=auth)
    await client.post(url, json=invoice_body(contact_id, api_reference="A"), headers=auth)  # 422
    assert recorder.validated >= {
        ("GET", f"{C}/sales_invoices", 200),
        ("POST", f"{C}/sales_invoices", 201),
        ("GET", f"{C}/sales_invoices/{{id}}", 200),
        ("PATCH", f"{C}/sales_invoices/{{id}}", 200),
    }


async def test_deletes_answer_the_documented_204(
    checked: tuple[httpx.AsyncClient, Recorder],
    company_id: int,
    base: str,
    auth: dict[str, str],
    contact_id: int,
) -> None:
    client, _ = checked
    created = await client.post(
        f"{base}/sales_invoices", json=invoice_body(contact_id), headers=auth
    )
    invoice_id = created.json()["sales_invoice"]["id"]
    assert (
        await client.delete(f"{base}/sales_invoices/{invoice_id}", headers=auth)
    ).status_code == 204
    assert (await client.delete(f"{base}/contacts/{contact_id}", headers=auth)).status_code == 204
    assert (await client.delete(f"/api/v1/companies/{company_id}", headers=auth)).status_code == 204


def test_converter_allows_null_only_where_the_spec_says_x_nullable() -> None:
    schema = to_json_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "x-nullable": True},
                "b": {"type": "string"},
                "c": {"type": "string", "enum": ["x"], "x-nullable": True},
            },
        },
        strict=True,
    )
    jsonschema.validate({"a": None, "b": "", "c": None}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"b": None}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"d": 1}, schema)
