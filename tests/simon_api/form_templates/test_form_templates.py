"""Form templates: typed questions; an edit after a form was filled makes a new version."""

import httpx
import pytest

from tests.simon_api.support import METER_FORM, Api, Json
from tests.support.tenants import TenantKey


def _problem_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [str(e["field"]) for e in response.json()["errors"]]


async def test_office_creates_a_template_and_every_key_reads_it(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    template = await api.template()
    assert template["version"] == 1
    assert template["active"] is True
    assert [q["key"] for q in template["questions"]] == [q["key"] for q in METER_FORM["questions"]]
    assert template["questions"][0] == {
        "key": "meterstand",
        "label": "Meterstand",
        "type": "number",
        "required": False,
        "options": None,
        "on_invoice": True,
    }
    listed = await client.get("/api/v1/form-templates", headers=field.headers)
    assert [t["id"] for t in listed.json()["items"]] == [template["id"]]
    one = await client.get(f"/api/v1/form-templates/{template['id']}", headers=field.headers)
    assert one.json() == template


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "", METER_FORM),
        ("PATCH", "/{id}", {"name": "Nieuw"}),
        ("DELETE", "/{id}", None),
    ],
)
async def test_field_keys_do_not_manage_templates(
    api: Api,
    client: httpx.AsyncClient,
    field: TenantKey,
    method: str,
    suffix: str,
    body: Json | None,
) -> None:
    template = await api.template()
    response = await client.request(
        method,
        f"/api/v1/form-templates{suffix.format(id=template['id'])}",
        json=body,
        headers=field.headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "office_only"


@pytest.mark.parametrize(
    ("questions", "field"),
    [
        ([], "questions"),
        ([{"key": "a", "label": "A", "type": "colour"}], "questions.0.type"),
        ([{"key": "a b", "label": "A", "type": "text"}], "questions.0.key"),
        ([{"key": "a", "label": "", "type": "text"}], "questions.0.label"),
        ([{"key": "a", "label": "A", "type": "choice"}], "questions.0.options"),
        ([{"key": "a", "label": "A", "type": "choice", "options": []}], "questions.0.options"),
        (
            [{"key": "a", "label": "A", "type": "multi_choice", "options": ["x", "x"]}],
            "questions.0.options",
        ),
        ([{"key": "a", "label": "A", "type": "text", "options": ["x"]}], "questions.0.options"),
        (
            [
                {"key": "a", "label": "A", "type": "text"},
                {"key": "a", "label": "B", "type": "date"},
            ],
            "questions",
        ),
        ([{"key": "a", "label": "A", "type": "text", "colour": "red"}], "questions.0.colour"),
    ],
)
async def test_bad_questions_are_a_422_naming_the_field(
    client: httpx.AsyncClient, office: TenantKey, questions: list[Json], field: str
) -> None:
    response = await client.post(
        "/api/v1/form-templates",
        json={"name": "Keuring", "questions": questions},
        headers=office.headers,
    )
    assert field in _problem_fields(response)


async def test_editing_a_template_nobody_filled_keeps_its_version(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template()
    work_order = await api.planned_work_order()
    form = await api.form(work_order["id"], template["id"])  # attached, not answered

    response = await client.patch(
        f"/api/v1/form-templates/{template['id']}",
        json={
            "name": "Onderhoud ketel",
            "questions": [{"key": "druk", "label": "Druk", "type": "number"}],
        },
        headers=office.headers,
    )

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["name"]) == (1, "Onderhoud ketel")
    again = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/forms/{form['id']}", headers=office.headers
    )
    assert [q["key"] for q in again.json()["questions"]] == ["druk"]


async def test_editing_a_filled_template_makes_a_new_version_and_the_filled_form_keeps_its_own(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template()
    filled_order = await api.planned_work_order()
    filled = await api.form(filled_order["id"], template["id"])
    await api.put(
        f"/work-orders/{filled_order['id']}/forms/{filled['id']}", {"answers": {"meterstand": 7}}
    )
    waiting_order = await api.planned_work_order()
    waiting = await api.form(waiting_order["id"], template["id"])

    response = await client.patch(
        f"/api/v1/form-templates/{template['id']}",
        json={"questions": [{"key": "druk", "label": "Waterdruk", "type": "number"}]},
        headers=office.headers,
    )

    assert response.json()["version"] == 2
    kept = await client.get(
        f"/api/v1/work-orders/{filled_order['id']}/forms/{filled['id']}", headers=office.headers
    )
    assert kept.json()["template_version"] == 1
    assert kept.json()["answers"] == {"meterstand": "7"}
    assert "meterstand" in [q["key"] for q in kept.json()["questions"]]
    moved = await client.get(
        f"/api/v1/work-orders/{waiting_order['id']}/forms/{waiting['id']}", headers=office.headers
    )
    assert moved.json()["template_version"] == 2
    assert [q["key"] for q in moved.json()["questions"]] == ["druk"]
    new_form = await api.form(waiting_order["id"], template["id"])
    assert (new_form["template_version"], new_form["name"]) == (2, "Onderhoud cv-ketel")


async def test_an_edit_that_changes_nothing_makes_no_version(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template()
    work_order = await api.planned_work_order()
    form = await api.form(work_order["id"], template["id"])
    await api.put(
        f"/work-orders/{work_order['id']}/forms/{form['id']}", {"answers": {"meterstand": 1}}
    )
    response = await client.patch(
        f"/api/v1/form-templates/{template['id']}",
        json={"name": METER_FORM["name"]},
        headers=office.headers,
    )
    assert response.json()["version"] == 1


@pytest.mark.parametrize("field", ["name", "questions"])
async def test_nulling_a_template_field_is_refused(
    api: Api, client: httpx.AsyncClient, office: TenantKey, field: str
) -> None:
    template = await api.template()
    response = await client.patch(
        f"/api/v1/form-templates/{template['id']}", json={field: None}, headers=office.headers
    )
    assert field in _problem_fields(response)


async def test_an_unused_template_is_deleted(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template()
    response = await client.delete(
        f"/api/v1/form-templates/{template['id']}", headers=office.headers
    )
    assert response.status_code == 204
    gone = await client.get(f"/api/v1/form-templates/{template['id']}", headers=office.headers)
    assert gone.status_code == 404


async def test_a_used_template_is_retired_and_its_forms_stay(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template()
    work_order = await api.planned_work_order()
    form = await api.form(work_order["id"], template["id"])

    refused = await client.delete(
        f"/api/v1/form-templates/{template['id']}", headers=office.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "in_use")
    retired = await client.patch(
        f"/api/v1/form-templates/{template['id']}", json={"active": False}, headers=office.headers
    )
    assert retired.json()["active"] is False

    listed = await client.get("/api/v1/form-templates", headers=office.headers)
    assert listed.json()["items"] == []
    everything = await client.get(
        "/api/v1/form-templates", params={"include_inactive": "true"}, headers=office.headers
    )
    assert [(t["id"], t["active"]) for t in everything.json()["items"]] == [(template["id"], False)]
    still = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/forms/{form['id']}", headers=office.headers
    )
    assert still.status_code == 200
    refused = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/forms",
        json={"template_id": template["id"]},
        headers=office.headers,
    )
    assert _problem_fields(refused) == ["template_id"]


async def test_templates_page_with_cursors(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    for n in range(3):
        await api.template(name=f"Formulier {n}")
    first = await client.get("/api/v1/form-templates?limit=2", headers=office.headers)
    second = await client.get(
        "/api/v1/form-templates",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=office.headers,
    )
    names = [t["name"] for t in first.json()["items"] + second.json()["items"]]
    assert names == ["Formulier 0", "Formulier 1", "Formulier 2"]
    assert second.json()["next_cursor"] is None


async def test_an_unanswered_form_on_an_archived_work_order_keeps_its_questions(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    template = await api.template(questions=[{"key": "druk", "label": "Druk", "type": "number"}])
    work_order = await api.completed_work_order()
    form = await api.form(work_order["id"], template["id"])
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)

    edited = await client.patch(
        f"/api/v1/form-templates/{template['id']}",
        json={"questions": [{"key": "temperatuur", "label": "Temperatuur", "type": "number"}]},
        headers=office.headers,
    )

    assert edited.json()["version"] == 2
    kept = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/forms/{form['id']}", headers=office.headers
    )
    assert (kept.json()["template_version"], kept.json()["questions"][0]["key"]) == (1, "druk")
