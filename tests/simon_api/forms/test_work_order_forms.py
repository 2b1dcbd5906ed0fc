"""Forms on a work order: answers checked per type, partial saves, completion refused while
a required question is open, read-only once archived."""

import httpx
import pytest

from tests.simon_api.support import Api, Json
from tests.support.tenants import TenantKey

# A work order, the form on it and the form's path.
Filling = tuple[Json, Json, str]


@pytest.fixture
async def filling(api: Api) -> Filling:
    """A planned work order with the meter form attached: (work order, form, its path)."""
    template = await api.template()
    work_order = await api.planned_work_order()
    form = await api.form(work_order["id"], template["id"])
    return work_order, form, f"/work-orders/{work_order['id']}/forms/{form['id']}"


async def test_a_field_key_attaches_a_form_and_answers_it(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    template = await api.template()
    work_order = await api.planned_work_order()
    attached = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/forms",
        json={"template_id": template["id"]},
        headers=field.headers,
    )
    assert attached.status_code == 201
    form = attached.json()
    assert (form["template_id"], form["template_version"], form["answers"]) == (
        template["id"],
        1,
        {},
    )
    assert (form["missing"], form["complete"]) == (["gereinigd"], False)
    saved = await client.put(
        f"/api/v1/work-orders/{work_order['id']}/forms/{form['id']}",
        json={"answers": {"gereinigd": True}},
        headers=field.headers,
    )
    assert saved.status_code == 200
    assert (saved.json()["answers"], saved.json()["complete"]) == ({"gereinigd": True}, True)


@pytest.mark.parametrize(
    ("key", "given", "stored"),
    [
        ("meterstand", 12345, "12345"),
        ("meterstand", "12345.50", "12345.5"),
        ("meterstand", 1.25, "1.25"),
        ("meterstand", "-3", "-3"),
        ("gereinigd", False, False),
        ("toestand", "matig", "matig"),
        ("onderdelen", ["expansievat", "pakking"], ["pakking", "expansievat"]),
        ("volgende_beurt", "2027-02-28", "2027-02-28"),
        ("opmerking", "Ketel ontlucht, druk 1,8 bar", "Ketel ontlucht, druk 1,8 bar"),
    ],
)
async def test_answers_are_stored_in_their_type(
    api: Api, filling: Filling, key: str, given: object, stored: object
) -> None:
    _, _, path = filling
    saved = await api.put(path, {"answers": {key: given}})
    assert saved["answers"] == {key: stored}


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("meterstand", "veel"),
        ("meterstand", True),
        ("meterstand", "NaN"),
        ("meterstand", "Infinity"),
        ("meterstand", [1]),
        ("gereinigd", "ja"),
        ("gereinigd", 1),
        ("toestand", "prima"),
        ("toestand", ["goed"]),
        ("onderdelen", "pakking"),
        ("onderdelen", ["pakking", "band"]),
        ("volgende_beurt", "01-03-2027"),
        ("volgende_beurt", "2027-02-30"),
        ("opmerking", 5),
        ("opmerking", "nul\x00byte"),
        ("bestaat_niet", "x"),
    ],
)
async def test_a_bad_answer_is_a_422_naming_its_question_key(
    api: Api, filling: Filling, key: str, given: object
) -> None:
    _, _, path = filling
    problem = await api.put(path, {"answers": {key: given}}, status=422)
    assert problem["code"] == "invalid_answer"
    assert [e["field"] for e in problem["errors"]] == [f"answers.{key}"]


async def test_every_bad_answer_is_named_and_nothing_is_saved(api: Api, filling: Filling) -> None:
    _, _, path = filling
    problem = await api.put(
        path, {"answers": {"meterstand": "x", "gereinigd": True, "toestand": "?"}}, status=422
    )
    assert [e["field"] for e in problem["errors"]] == ["answers.meterstand", "answers.toestand"]
    current = await api.client.get(f"/api/v1{path}", headers=api.who.headers)
    assert current.json()["answers"] == {}


async def test_partial_saves_add_up_and_null_clears_one(api: Api, filling: Filling) -> None:
    _, _, path = filling
    await api.put(path, {"answers": {"meterstand": 100}})
    await api.put(path, {"answers": {"gereinigd": True, "opmerking": "Alles goed"}})
    saved = await api.put(path, {"answers": {"opmerking": None, "onderdelen": []}})
    assert saved["answers"] == {"meterstand": "100", "gereinigd": True}


async def test_complete_is_refused_while_a_required_question_is_unanswered(
    api: Api, filling: Filling
) -> None:
    work_order, _, path = filling
    problem = await api.post(f"/work-orders/{work_order['id']}/complete", status=409)
    assert problem["code"] == "form_incomplete"
    assert [e["field"] for e in problem["errors"]] == ["gereinigd"]
    assert "gereinigd" in problem["detail"]

    await api.put(path, {"answers": {"gereinigd": False}})
    done = await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    assert done["status"] == "completed"


async def test_the_missing_keys_of_every_form_are_listed(api: Api, filling: Filling) -> None:
    work_order, _, _ = filling
    second = await api.template(
        name="Keuring",
        questions=[
            {"key": "co_meting", "label": "CO-meting", "type": "number", "required": True},
            {"key": "veilig", "label": "Veilig", "type": "yes_no", "required": True},
        ],
    )
    await api.form(work_order["id"], second["id"])
    problem = await api.post(f"/work-orders/{work_order['id']}/complete", status=409)
    assert [e["field"] for e in problem["errors"]] == ["gereinigd", "co_meting", "veilig"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "/{form}", {"answers": {"meterstand": 1}}),
        ("DELETE", "/{form}", None),
        ("POST", "", "template"),
    ],
)
async def test_forms_are_read_only_once_archived(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    filling: Filling,
    method: str,
    suffix: str,
    body: Json | str | None,
) -> None:
    work_order, form, path = filling
    await api.put(path, {"answers": {"gereinigd": True}})
    await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    if body == "template":
        body = {"template_id": form["template_id"]}
    response = await client.request(
        method,
        f"/api/v1/work-orders/{work_order['id']}/forms{suffix.format(form=form['id'])}",
        json=body,
        headers=office.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "work_order_archived"
    kept = await client.get(f"/api/v1{path}", headers=office.headers)
    assert kept.json()["answers"] == {"gereinigd": True}


async def test_after_completion_only_the_office_corrects_answers(
    api: Api, client: httpx.AsyncClient, field: TenantKey, filling: Filling
) -> None:
    work_order, _, path = filling
    await api.put(path, {"answers": {"gereinigd": True}})
    await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    by_field = await client.put(
        f"/api/v1{path}", json={"answers": {"meterstand": 5}}, headers=field.headers
    )
    assert (by_field.status_code, by_field.json()["code"]) == (403, "office_only")
    corrected = await api.put(path, {"answers": {"meterstand": 5}})
    assert corrected["answers"]["meterstand"] == "5"


async def test_a_form_is_removed_from_a_work_order(
    api: Api, client: httpx.AsyncClient, office: TenantKey, filling: Filling
) -> None:
    work_order, _, path = filling
    response = await client.delete(f"/api/v1{path}", headers=office.headers)
    assert response.status_code == 204
    listed = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/forms", headers=office.headers
    )
    assert listed.json() == {"items": [], "next_cursor": None}
    await api.post(f"/work-orders/{work_order['id']}/complete", status=200)  # nothing missing


async def test_a_form_of_another_work_order_is_not_found(
    api: Api, client: httpx.AsyncClient, office: TenantKey, filling: Filling
) -> None:
    _, form, _ = filling
    other = await api.planned_work_order()
    response = await client.get(
        f"/api/v1/work-orders/{other['id']}/forms/{form['id']}", headers=office.headers
    )
    assert response.status_code == 404


async def test_the_forms_of_a_work_order_are_listed_in_the_order_added(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    first = await api.template(name="Eerste")
    second = await api.template(name="Tweede")
    await api.form(work_order["id"], second["id"])
    await api.form(work_order["id"], first["id"])
    listed = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/forms", headers=office.headers
    )
    assert [f["name"] for f in listed.json()["items"]] == ["Tweede", "Eerste"]


@pytest.mark.parametrize("body", [{}, {"template_id": "x"}, {"template_id": 0}, {"answers": {}}])
async def test_attaching_needs_a_template_id(
    client: httpx.AsyncClient, office: TenantKey, api: Api, body: Json
) -> None:
    work_order = await api.planned_work_order()
    response = await client.post(
        f"/api/v1/work-orders/{work_order['id']}/forms", json=body, headers=office.headers
    )
    assert response.status_code == 422
