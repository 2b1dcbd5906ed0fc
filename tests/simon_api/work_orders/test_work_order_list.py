"""GET /work-orders beneath the framework (work_orders/fast_list.py) answers exactly what the
FastAPI route answers, only for plainly valid requests, and never weakens the key check or
the tenant scoping; everything else still reaches the route."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.simon_api.main import create_app
from services.simon_api.pagination import PageParams
from services.simon_api.settings import SimonApiSettings
from services.simon_api.work_orders import fast_list
from services.simon_api.work_orders import router as work_order_router
from services.simon_api.work_orders.views import render_authenticated_page
from shared.auth import authenticate, hash_api_key
from shared.body_limit import MAX_BODY_BYTES
from shared.cursor import encode_cursor
from shared.ids import MAX_ID
from shared.models import ApiKey, Employee
from shared.reader import SessionReader
from tests.simon_api.support import Api
from tests.support.tenants import TenantKey

LIST = "/api/v1/work-orders"
KEY = "sim_" + "A" * 43


def scope(query: bytes = b"", authorization: list[bytes] | None = None) -> dict[str, Any]:
    values = [b"Bearer " + KEY.encode()] if authorization is None else authorization
    headers = [(b"host", b"simon"), *((b"authorization", value) for value in values)]
    return {
        "type": "http",
        "method": "GET",
        "path": LIST,
        "query_string": query,
        "headers": headers,
    }


@pytest.mark.parametrize(
    ("query", "limit", "before", "filters"),
    [
        (b"", 50, MAX_ID, {"status": None}),
        (b"limit=200", 200, MAX_ID, {"status": None}),
        (b"limit=1&cursor=" + encode_cursor(17).encode(), 1, 17, {"status": None}),
        (b"status=planned", 50, MAX_ID, {"status": "planned"}),
        (
            b"customer_id=3&assignee_id=9223372036854775807&status=archived",
            50,
            MAX_ID,
            {"status": "archived", "customer_id": 3, "assignee_id": MAX_ID},
        ),
    ],
)
def test_a_plainly_valid_request_is_read_by_the_lane(
    query: bytes, limit: int, before: int, filters: dict[str, Any]
) -> None:
    request = fast_list.read_list_request(scope(query))
    assert request is not None
    assert (request.params.limit, request.before, request.filters) == (limit, before, filters)


@pytest.mark.parametrize(
    "query",
    [
        b"limit=0",
        b"limit=201",
        b"limit=050",
        b"limit=%35",
        b"limit=+5",
        b"limit=5.0",
        b"limit=",
        b"limit",
        b"limit=5&limit=6",
        b"limit=5&",
        b"status=Planned",
        b"status=paused",
        b"customer_id=0",
        b"customer_id=9223372036854775808",
        b"cursor=" + encode_cursor(5, mark="c").encode(),  # another list's cursor
        b"cursor=aaaa",
        b"cursor=" + b"A" * 65,
        b"include_inactive=true",  # unknown to this list: the route ignores it
    ],
)
def test_any_other_query_is_left_to_the_route(query: bytes) -> None:
    assert fast_list.read_list_request(scope(query)) is None


@pytest.mark.parametrize(
    "authorization",
    [
        [],
        [b"bearer " + KEY.encode()],
        [b"Bearer  " + KEY.encode()],
        [b"Bearer " + KEY.encode() + b" "],
        [b"Basic " + KEY.encode()],
        [b"Bearer sim_with space"],
        [b"Bearer " + KEY.encode(), b"Bearer " + KEY.encode()],
    ],
)
def test_any_other_authorization_is_left_to_the_route(authorization: list[bytes]) -> None:
    assert fast_list.read_list_request(scope(authorization=authorization)) is None


def test_the_lane_knows_the_documented_statuses_and_limit() -> None:
    app = create_app(SimonApiSettings(database_url="postgresql://unused/unused"))
    document = app.openapi()
    parameters = {p["name"]: p["schema"] for p in document["paths"][LIST]["get"]["parameters"]}
    (schema,) = (s for s in parameters["status"]["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    statuses = schema["enum"]
    assert set(statuses) == fast_list.STATUSES
    assert parameters["limit"]["maximum"] == 200


async def _route_never_reads(*_: Any) -> str:
    raise AssertionError("the FastAPI route answered a plainly valid request")


@pytest.fixture
def route_never_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lane, not the route, must answer: the route's page reader would fail."""
    monkeypatch.setattr(work_order_router, "render_page", _route_never_reads)


async def _by_route(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, who: TenantKey, query: str
) -> httpx.Response:
    """The same request answered by the FastAPI route (the lane stands aside)."""
    with monkeypatch.context() as patched:
        patched.setattr(fast_list, "read_list_request", lambda _: None)
        return await client.get(f"{LIST}?{query}", headers=who.headers)


async def test_the_lane_answers_with_the_routes_bytes(
    api: Api, client: httpx.AsyncClient, office: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = await api.planned_work_order()
    loose = await api.post("/work-orders", {"description": "Lekkage"})
    await api.post(f"/work-orders/{planned['id']}/time-entries", {"kind": "work", "minutes": 45})
    queries = [
        "",
        "limit=1",
        f"limit=1&cursor={encode_cursor(loose['id'])}",
        "status=planned",
        "status=archived",
        f"customer_id={planned['customer_id']}&assignee_id={office.employee_id}",
        f"cursor={encode_cursor(planned['id'])}",  # past the oldest: an empty page
    ]
    expected = {q: await _by_route(client, monkeypatch, office, q) for q in queries}
    with monkeypatch.context() as patched:
        patched.setattr(work_order_router, "render_page", _route_never_reads)
        for query in queries:
            answer = await client.get(f"{LIST}?{query}", headers=office.headers)
            route = expected[query]
            assert answer.status_code == route.status_code == 200
            assert answer.content == route.content, query
            assert answer.headers["content-type"] == route.headers["content-type"]
            assert answer.headers["content-length"] == route.headers["content-length"]
    assert [w["id"] for w in expected[""].json()["items"]] == [loose["id"], planned["id"]]


async def test_walking_the_cursor_in_the_lane_visits_every_work_order_once(
    api: Api, client: httpx.AsyncClient, office: TenantKey, route_never_reads: None
) -> None:
    created = [(await api.post("/work-orders", {"description": f"wo {i}"}))["id"] for i in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        query = f"limit=2&cursor={cursor}" if cursor else "limit=2"
        page = (await client.get(f"{LIST}?{query}", headers=office.headers)).json()
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(created, reverse=True)


async def test_the_lane_never_shows_another_tenants_work_orders(
    api: Api,
    client: httpx.AsyncClient,
    office: TenantKey,
    other_office: TenantKey,
    route_never_reads: None,
) -> None:
    mine = await api.planned_work_order()
    theirs = await Api(client, other_office).post("/work-orders", {"description": "B"})
    beyond = encode_cursor(max(mine["id"], theirs["id"]) + 1)
    for query in ("", f"cursor={beyond}", f"customer_id={mine['customer_id']}"):
        page = await client.get(f"{LIST}?{query}", headers=other_office.headers)
        assert page.status_code == 200
        assert mine["id"] not in [w["id"] for w in page.json()["items"]]
    own = await client.get(LIST, headers=other_office.headers)
    assert [w["id"] for w in own.json()["items"]] == [theirs["id"]]


async def test_a_refused_key_gets_the_routes_401(
    client: httpx.AsyncClient, office: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = TenantKey(office.tenant_id, office.employee_id, KEY)
    refused = await client.get(LIST, headers=unknown.headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    route = await _by_route(client, monkeypatch, unknown, "")
    assert refused.content == route.content
    assert refused.json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("known_key", "query", "status", "code"),
    [
        (False, "limit=0", 401, "unauthorized"),  # the key is checked before the query
        (False, "cursor=aaaa", 401, "unauthorized"),
        (True, "cursor=aaaa", 422, "invalid_cursor"),
        (True, "limit=201", 422, "validation_error"),
        (True, "status=paused", 422, "validation_error"),
    ],
)
async def test_the_routes_errors_and_their_order_are_kept(
    client: httpx.AsyncClient,
    office: TenantKey,
    known_key: bool,
    query: str,
    status: int,
    code: str,
) -> None:
    headers = office.headers if known_key else {"Authorization": f"Bearer {KEY}"}
    answer = await client.get(f"{LIST}?{query}", headers=headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code


async def test_a_large_declared_body_on_the_list_is_refused_first(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    answer = await client.get(
        LIST, headers={**office.headers, "content-length": str(MAX_BODY_BYTES + 1)}
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"


@pytest.mark.parametrize("refusal", ["revoked", "deactivated"])
async def test_the_one_statement_refuses_what_authentication_refuses(
    api: Api, session: AsyncSession, field: TenantKey, refusal: str
) -> None:
    await api.post("/work-orders", {"description": "Lekkage"})
    reader = SessionReader(session)
    params = PageParams(limit=50, cursor=None)
    key_hash = hash_api_key(field.api_key)
    page = await render_authenticated_page(reader, key_hash, params, MAX_ID, {})
    assert page is not None
    assert page[0].tenant_id == field.tenant_id
    assert len(orjson.loads(page[1])["items"]) == 1
    if refusal == "revoked":
        await session.execute(
            update(ApiKey)
            .where(ApiKey.employee_id == field.employee_id)
            .values(revoked_at=func.now())
        )
    else:
        await session.execute(
            update(Employee).where(Employee.id == field.employee_id).values(active=False)
        )
    assert await render_authenticated_page(reader, key_hash, params, MAX_ID, {}) is None
    assert await authenticate(reader, field.api_key) is None
