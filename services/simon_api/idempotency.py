"""`Idempotency-Key` on every POST and PATCH: a retried request never does its work twice.

Field employees book hours and materials from phones on mobile networks; an app retries a
POST whose answer it never got. With a key, the first response for (tenant, key) is stored
for 24 h and a repeat with the same request gets it again, byte for byte (plus
`Idempotent-Replayed: true`); the same key with another request answers 422
`idempotency_key_reused`; a repeat that arrives while the first is still running waits for
it (up to WAIT_FOR_FIRST_SECONDS) and then replays, else answers 409
`idempotency_key_in_progress`.

Atomic with the effect: the key's row is inserted at the start of the request's transaction
and the response written into it just before that transaction commits, on one connection
(the request's session joins it through a savepoint, so the endpoint's own `commit()` keeps
everything in this one transaction). A crash before the commit leaves neither effect nor
key; after it, both. The row's uncommitted insert is also the lock a concurrent repeat
waits on. 5xx answers are not kept (the transaction is rolled back; a retry runs anew).

Requests without the header cost one look at the method (and, for POST/PATCH, the headers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import authenticate
from shared.body_limit import MAX_BODY_BYTES, body_too_large
from shared.problems import FieldProblem, problem_response
from shared.reader import Reader

HEADER = b"idempotency-key"
REPLAYED_HEADER = (b"idempotent-replayed", b"true")
METHODS = frozenset({"POST", "PATCH"})
KEPT_FOR = dt.timedelta(hours=24)
WAIT_FOR_FIRST_SECONDS = 10.0
MAX_KEY_LENGTH = 255
EXPIRE_EVERY_SECONDS = 900.0
# The scope entry through which the request's session joins the key's transaction (deps.py).
TRANSACTION = "simon.idempotent_transaction"
# An API key is shown once and only its hash is stored: a replay shows null instead.
SECRET_FIELDS = ("api_key",)

log = structlog.get_logger("services.simon_api.idempotency")

_CLAIM = text(
    """
    INSERT INTO idempotency_keys (tenant_id, key, request_hash, expires_at)
    VALUES (:tenant_id, :key, :request_hash, now() + :kept_for)
    ON CONFLICT (tenant_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = NULL, headers = NULL,
            body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= now()
    RETURNING 1
    """
)
_STORED = text(
    "SELECT request_hash, status_code, headers, body FROM idempotency_keys "
    "WHERE tenant_id = :tenant_id AND key = :key"
)
_KEEP = text(
    "UPDATE idempotency_keys SET status_code = :status_code, headers = :headers, body = :body "
    "WHERE tenant_id = :tenant_id AND key = :key"
)
_EXPIRED = text(
    "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY("
    "SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT :batch))"
)
# A repeat waits for the first only this long (SET LOCAL: this transaction only), and
# the request's own statements then wait as they always do.
_WAIT = text("SELECT set_config('lock_timeout', :wait, true)")
_WAIT_NO_MORE = text("SET LOCAL lock_timeout = DEFAULT")
LOCK_NOT_AVAILABLE = "55P03"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _routed(scope: Scope) -> bool:
    """Whether an operation of the app takes this method at this path (only then is there a
    response worth keeping)."""
    return any(route.matches(scope)[0] is Match.FULL for route in scope["app"].router.routes)


def _invalid_key(key: bytes) -> str | None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"Must be 1 to {MAX_KEY_LENGTH} characters"
    if any(byte < 0x21 or byte > 0x7E for byte in key):
        return "Must be printable ASCII without spaces (a UUID is a good key)"
    return None


def request_hash(scope: Scope, body: bytes) -> str:
    """The request a key stands for: method, path, query and body. A JSON body counts by
    its content (key order and whitespace aside), so a client that re-serialises the same
    object still matches."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"]):
        digest.update(part + b"\n")
    digest.update(canonical)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when it is larger than MAX_BODY_BYTES (BodySizeLimit, the
    outermost middleware, refused such a body already; this only keeps the buffer bounded
    should the middlewares ever be ordered otherwise)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _kept(headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[list[list[str]], bytes]:
    """What is stored of a response: its headers and body, secrets nulled."""
    if any(f'"{name}"'.encode() in body for name in SECRET_FIELDS):
        document = orjson.loads(body)
        if isinstance(document, dict):
            for name in SECRET_FIELDS:
                if name in document:
                    document[name] = None
            body = orjson.dumps(document)
            headers = [
                (k, str(len(body)).encode() if k == b"content-length" else v) for k, v in headers
            ]
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers], body


class IdempotencyMiddleware:
    """Pure ASGI (no per-request cost beyond the header look-up): see the module doc."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        key = _header(scope, HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not _routed(scope):  # no such operation: the router answers 404 or 405
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        engine: AsyncEngine | None = getattr(state, "engine", None)
        if engine is None:  # an app without its lifespan (unit tests on a rolled-back session)
            await self.app(scope, receive, send)
            return
        await _Keyed(self.app, engine, state.reader, key).handle(scope, receive, send)


class _Keyed:
    def __init__(self, app: ASGIApp, engine: AsyncEngine, reader: Reader, key: bytes) -> None:
        self.app = app
        self.engine = engine
        self.reader = reader
        self.key = key

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = _invalid_key(self.key)
        if problem is not None:
            response = problem_response(
                422,
                "validation_error",
                f"Idempotency-Key: {problem}",
                errors=[FieldProblem(field="Idempotency-Key", message=problem)],
            )
            await response(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await body_too_large(send)
            return
        replay = _replaying(body, receive)
        tenant_id = await self._tenant(scope)
        if tenant_id is None:  # the endpoint answers 401; nothing to keep
            await self.app(scope, replay, send)
            return
        key = self.key.decode("ascii")
        fingerprint = request_hash(scope, body)
        async with _transaction(self.engine) as connection:
            claimed = await self._claim(connection, tenant_id, key, fingerprint)
            if claimed is not None:  # not ours: 422, 409 or the stored response
                await connection.rollback()
                await claimed(scope, replay, send)
                return
            scope[TRANSACTION] = connection
            status, headers, chunks = await self._run(scope, replay)
            content = b"".join(chunks)
            if status >= 500:
                await connection.rollback()
            else:
                kept_headers, kept_body = _kept(headers, content)
                await connection.execute(
                    _KEEP,
                    {
                        "tenant_id": tenant_id,
                        "key": key,
                        "status_code": status,
                        "headers": orjson.dumps(kept_headers).decode(),
                        "body": kept_body,
                    },
                )
                await connection.commit()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _tenant(self, scope: Scope) -> int | None:
        authorization = _header(scope, b"authorization")
        if authorization is None or not authorization.lower().startswith(b"bearer "):
            return None
        principal = await authenticate(self.reader, authorization[7:].decode("latin-1").strip())
        return principal.tenant_id if principal is not None else None

    async def _claim(
        self, connection: AsyncConnection, tenant_id: int, key: str, fingerprint: str
    ) -> Any:
        """None when this request owns the key now; else the response to give instead."""
        arguments = {"tenant_id": tenant_id, "key": key}
        await connection.execute(_WAIT, {"wait": f"{int(WAIT_FOR_FIRST_SECONDS * 1000)}ms"})
        try:
            owned = await connection.scalar(
                _CLAIM, {**arguments, "request_hash": fingerprint, "kept_for": KEPT_FOR}
            )
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            return problem_response(
                409,
                "idempotency_key_in_progress",
                "A request with this Idempotency-Key is still being handled; retry shortly.",
                headers={"Retry-After": "1"},
            )
        await connection.execute(_WAIT_NO_MORE)
        if owned is not None:
            return None
        stored = (await connection.execute(_STORED, arguments)).one()
        if stored.request_hash != fingerprint:
            return problem_response(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used for another request; use a new key.",
                errors=[
                    FieldProblem(
                        field="Idempotency-Key", message="Already used for another request"
                    )
                ],
            )
        return _Replay(stored.status_code, stored.headers, stored.body)

    async def _run(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
        """The app's whole response, held back until the transaction has committed."""
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, hold)
        return status, headers, chunks


class _Replay:
    def __init__(self, status: int, headers: list[list[str]], body: bytes) -> None:
        self.status = status
        self.headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [*self.headers, REPLAYED_HEADER]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


@asynccontextmanager
async def _transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        await connection.begin()
        yield connection


async def delete_expired(engine: AsyncEngine, *, batch: int = 5000) -> int:
    """Delete keys past their 24 h, in batches (short transactions); the count."""
    total = 0
    while True:
        async with engine.begin() as connection:
            deleted = (await connection.execute(_EXPIRED, {"batch": batch})).rowcount
        total += deleted
        if deleted < batch:
            return total


async def expire_keys(engine: AsyncEngine, *, every: float = EXPIRE_EVERY_SECONDS) -> None:
    """Delete expired keys every `every` seconds until cancelled (each replica does; the
    deletes are idempotent). A failing database only postpones it."""
    while True:
        try:
            deleted = await delete_expired(engine)
        except Exception as exc:
            log.warning("idempotency.expire.failed", error=repr(exc))
        else:
            if deleted:
                log.info("idempotency.expired", count=deleted)
        await asyncio.sleep(every)


PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[!-~]+$",  # printable ASCII, no spaces
    },
    "description": (
        "Makes a retry safe (e.g. a UUID per intended action). The first response for "
        "(tenant, key) is kept for 24 h and answered again, byte for byte with "
        "`Idempotent-Replayed: true`, to a repeat of the same request; the same key with "
        "another request answers 422 `idempotency_key_reused`; a repeat while the first is "
        "still running waits for it, or answers 409 `idempotency_key_in_progress` "
        "(Retry-After: 1). 5xx answers are not kept."
    ),
}


def document(app: FastAPI) -> None:
    """Every POST and PATCH operation of the OpenAPI document takes the header."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for method in ("post", "patch"):
                operation = operations.get(method)
                if operation is not None:
                    operation.setdefault("parameters", []).append(PARAMETER)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
