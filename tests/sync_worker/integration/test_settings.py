"""Settings and "Controleer" (R-SETUP-4/6): everything re-checked against Rompslomp."""

from __future__ import annotations

from typing import Any

from tests.sync_worker.support import Wizard


async def connected(wizard: Wizard) -> dict[str, Any]:
    await wizard.wipe_all()
    await wizard.connect()
    return await wizard.administration()


async def test_administrations_list_the_free_one_as_not_accessible(wizard: Wizard) -> None:
    await connected(wizard)
    items = (await wizard.call("GET", "/administrations"))["items"]
    by_name = {a["name"]: a for a in items}
    assert by_name["Installatiebedrijf De Vries B.V."]["api_accessible"] is True
    assert by_name["Hobbyproject (Gratis)"]["api_accessible"] is False


async def test_choosing_the_free_administration_is_refused_with_an_explanation(
    wizard: Wizard,
) -> None:
    await connected(wizard)
    items = (await wizard.call("GET", "/administrations"))["items"]
    free = next(a for a in items if not a["api_accessible"])
    body = {"administration_id": free["id"], "accept_terms": True}
    problem = await wizard.call("PUT", "/settings", body, status=422)
    assert problem["code"] == "administration_not_accessible"
    assert problem["errors"][0]["field"] == "administration_id"
    assert "gratis" in problem["errors"][0]["message"].lower()
    check = {"administration_id": free["id"], "product": "P1"}
    assert (await wizard.call("POST", "/check", check, status=422))[
        "code"
    ] == "administration_not_accessible"


async def test_an_unknown_administration_is_refused(wizard: Wizard) -> None:
    await connected(wizard)
    body = {"administration_id": 987654321, "accept_terms": True}
    problem = await wizard.call("PUT", "/settings", body, status=422)
    assert problem["code"] == "unknown_administration"
    assert problem["errors"][0]["field"] == "administration_id"
    assert (await wizard.call("GET", ""))["state"] == "never_activated"


async def test_check_answers_id_code_description_and_price(wizard: Wizard) -> None:
    company = await connected(wizard)
    product = await wizard.call(
        "POST", "/check", {"administration_id": company["id"], "product": "P3"}
    )
    assert set(product) == {"id", "product_code", "description", "price_per_unit"}
    assert product["product_code"] == "P3"
    assert product["price_per_unit"]


async def test_check_of_an_unknown_product_is_422_unknown_product(wizard: Wizard) -> None:
    company = await connected(wizard)
    for ref in ("P999", 123456789):
        problem = await wizard.call(
            "POST", "/check", {"administration_id": company["id"], "product": ref}, status=422
        )
        assert problem["code"] == "unknown_product"
        assert problem["errors"][0]["field"] == "product"


async def test_saving_names_every_unknown_product_field(wizard: Wizard) -> None:
    company = await connected(wizard)
    body = {
        "administration_id": company["id"],
        "work_time_product": "P1",
        "travel_time_product": "NOPE",
        "standard_product": "P404",
        "accept_terms": True,
    }
    problem = await wizard.call("PUT", "/settings", body, status=422)
    assert problem["code"] == "unknown_product"
    assert [e["field"] for e in problem["errors"]] == ["travel_time_product", "standard_product"]
    assert (await wizard.call("GET", ""))["wizard"]["configured"] is False


async def test_terms_must_be_accepted(wizard: Wizard) -> None:
    company = await connected(wizard)
    problem = await wizard.call(
        "PUT", "/settings", {"administration_id": company["id"]}, status=422
    )
    assert problem["code"] == "terms_not_accepted"
    assert problem["errors"][0]["field"] == "accept_terms"


async def test_the_administration_is_required(wizard: Wizard) -> None:
    await connected(wizard)
    problem = await wizard.call("PUT", "/settings", {"accept_terms": True}, status=422)
    assert problem["errors"][0]["field"] == "administration_id"


async def test_settings_before_connecting_are_refused(wizard: Wizard) -> None:
    await wizard.wipe_all()
    body = {"administration_id": 1, "accept_terms": True}
    assert (await wizard.call("PUT", "/settings", body, status=409))["code"] == "not_connected"


async def test_a_changed_setting_is_rechecked_and_refused_when_unknown(wizard: Wizard) -> None:
    saved = await wizard.activate()
    body = {
        "administration_id": saved["administration_id"],
        "work_time_product": "GONE",
        "accept_terms": True,
    }
    problem = await wizard.call("PUT", "/settings", body, status=422)
    assert problem["errors"][0]["field"] == "work_time_product"
    current = await wizard.call("GET", "/settings")
    assert current["work_time_product"]["product_code"] == "P1"
    assert current["state"] == "active"
