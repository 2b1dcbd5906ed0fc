"""`GET /api/v1/work-orders` on its everyday path, answered beneath the framework.

The list is simon_api's busiest endpoint (bench/api_list.py, issue 14 §4). py-spy on the
server under that load showed a page's CPU going, besides the page itself, to a second
round trip to PostgreSQL (the key, then the page) and to FastAPI's machinery around the
route: dependency solving, query-parameter validation, request and response objects and
the middleware levels beneath this one.

This pure-ASGI layer answers a request only when everything in it is plainly valid: one
`Authorization: Bearer <key>` header with a key in the alphabet keys are issued in, and
only the list's own query parameters, each once, spelled as the route would read them
(digits without sign or leading zero within the documented bounds, a known status, a
cursor this list handed out). It then runs ONE statement that checks the key by the same
rule as every other request (shared/auth.py: a revoked key or a deactivated employee's
finds nothing) and reads the page of that key's tenant (views.py), and sends the page's
bytes with the headers the route sends.

Everything else goes on, untouched, to the FastAPI route, which answers exactly as it
always has: no key or an unknown or revoked one (401), a value pydantic must judge or
refuse (422 with field errors), a cursor from another list (422 `invalid_cursor`), the
order of those checks included. The route also stays the OpenAPI document's. So this
layer can only answer what the route would have answered with the same 200 body
(tests/simon_api/test_work_order_list.py compares the two).

It sits inside the error boundary (503 `database_unavailable`, 500) and the body limit,
like every route; a GET has nothing for the Idempotency-Key layer beneath it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, get_args

from starlette.types import ASGIApp, Receive, Scope, Send

from services.simon_api.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    PageParams,
    decode_cursor,
)
from services.simon_api.work_orders.views import render_authenticated_page
from shared.auth import hash_api_key
from shared.enums import WorkOrderStatus
from shared.problems import DomainError


def _names(kind: Any) -> frozenset[str]:
    """The values of a `Literal[...]` or of a string enum."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return frozenset(str(member.value) for member in kind)
    return frozenset(str(value) for value in get_args(kind))


STATUSES = _names(WorkOrderStatus)
# Issued keys are `sim_` + URL-safe base64; anything else is for the route to refuse.
_BEARER = re.compile(rb"Bearer ([A-Za-z0-9_-]+)")
_NUMBER = re.compile(rb"[1-9][0-9]{0,18}")
_SPELLINGS = {
    b"limit": _NUMBER,
    b"cursor": re.compile(rb"[A-Za-z0-9_-]{1,%d}" % MAX_CURSOR_LENGTH),
    b"status": re.compile(rb"[a-z]{1,20}"),
    b"customer_id": _NUMBER,
    b"assignee_id": _NUMBER,
}


@dataclass(frozen=True, slots=True)
class ListRequest:
    key_hash: str
    params: PageParams
    before: int  # the id the cursor names; MAX_ID for the first page
    filters: dict[str, Any]


def _bearer_key(scope: Scope) -> bytes | None:
    found = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            if found is not None:
                return None  # several: the route decides
            found = value
    match = _BEARER.fullmatch(found) if found is not None else None
    return match.group(1) if match is not None else None


def _query(raw: bytes) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for part in raw.split(b"&") if raw else ():
        name, equals, value = part.partition(b"=")
        spelling = _SPELLINGS.get(name)
        if spelling is None or not equals or name.decode() in values:
            return None
        if not spelling.fullmatch(value):
            return None
        values[name.decode()] = value.decode()
    return values


def read_list_request(scope: Scope) -> ListRequest | None:
    """The request, when it is one this layer answers (see the module doc); else None."""
    key = _bearer_key(scope)
    values = _query(scope["query_string"])
    if key is None or values is None:
        return None
    limit = int(values.get("limit", DEFAULT_LIMIT))
    status = values.get("status")
    ids: dict[str, int] = {
        name: int(values[name]) for name in ("customer_id", "assignee_id") if name in values
    }
    if limit > MAX_LIMIT or (status is not None and status not in STATUSES):
        return None
    if any(value > MAX_ID for value in ids.values()):
        return None
    cursor = values.get("cursor")
    before = MAX_ID
    if cursor is not None:
        try:
            before = decode_cursor(cursor)
        except DomainError:
            return None  # the route answers 422 `invalid_cursor`, after checking the key
    return ListRequest(
        key_hash=hash_api_key(key.decode()),
        params=PageParams(limit=limit, cursor=cursor),
        before=before,
        filters={"status": status, **ids},
    )


class WorkOrderListLane:
    """Pure ASGI: see the module doc. `path`: the list's path (`/api/v1/work-orders`)."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Behind a `root_path` the path differs and the lane stands aside: the route answers.
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        request = read_list_request(scope)
        answer = None
        if request is not None:
            answer = await render_authenticated_page(
                scope["app"].state.reader,
                request.key_hash,
                request.params,
                request.before,
                request.filters,
            )
        if answer is None:  # not plainly valid, or the key is refused: the route answers
            await self.app(scope, receive, send)
            return
        body = answer[1].encode()
        # What the route's `JSONText` response sends (starlette.responses.Response).
        headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
