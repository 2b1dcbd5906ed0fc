"""Fault injection and request statistics for ``/api/v1``.

A pure ASGI middleware, so it can hold a request (latency, timeouts), answer in the
reference's error shape (429, 5xx, 504) and — for "store the invoice, then drop the
connection" — let the handler commit and then close the socket without any response.
The worst Rompslomp its spec allows: a router answering 503 while the application commits
the invoice seconds later without its `api_reference` check ("late commit"), a company
throttled with a chosen `Retry-After`, and list results that do not echo `api_reference`.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import JSONResponse, error_body

INVOICE_CREATE = re.compile(r"^/api/v1/companies/[^/]+/sales_invoices/?$")
COMPANY_PATH = re.compile(r"^/api/v1/companies/([^/]+)/")
LATE_COMMIT = "sandbox.late_commit"  # scope key: the replayed request skips the reference check


def faults_of(request: Any) -> Faults:
    faults: Faults = request.app.state.faults
    return faults


def is_late_commit(scope: Scope) -> bool:
    return bool(scope.get(LATE_COMMIT))


class RateLimit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests: int = Field(ge=1)
    per_seconds: float = Field(gt=0)


class CompanyThrottle(BaseModel):
    """Every request for the company answers 429 with this `Retry-After` value (sent as
    given: "3600", "inf", "-5" and garbage are all possible)."""

    model_config = ConfigDict(extra="forbid")

    company_id: int
    retry_after: str = Field(default="60", max_length=100)


class FaultConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_seconds: float = Field(default=30.0, ge=0)
    drop_after_commit_rate: float = Field(default=0.0, ge=0, le=1)
    late_commit_rate: float = Field(default=0.0, ge=0, le=1)
    late_commit_seconds: float = Field(default=2.0, ge=0, le=3600)
    throttle: list[CompanyThrottle] = Field(default_factory=list)
    echo_api_reference: bool = True
    rate_limit: RateLimit | None = None
    seed: int | None = None


@dataclass
class Stats:
    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    late_commits: int = 0  # answered 503, stored (or not, if invalid) later
    in_flight: int = 0
    max_concurrency: int = 0
    invoice_posts: int = 0

    def reset(self) -> None:
        # In-flight requests keep counting down, so only the history is cleared.
        self.requests = 0
        self.by_status = Counter()
        self.dropped = 0
        self.late_commits = 0
        self.invoice_posts = 0
        self.max_concurrency = self.in_flight

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": dict(self.by_status),
            "dropped": self.dropped,
            "late_commits": self.late_commits,
            "invoice_posts": self.invoice_posts,
            "in_flight": self.in_flight,
            "max_concurrency": self.max_concurrency,
        }


class Faults:
    """The active fault configuration plus per-token rate-limit windows."""

    def __init__(self) -> None:
        self.config = FaultConfig()
        self.rng = random.Random()
        self.windows: dict[str, tuple[float, int]] = {}
        self.stats = Stats()
        self.late: set[asyncio.Task[None]] = set()  # late commits still to happen

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.windows.clear()

    def clear(self) -> None:
        self.configure(FaultConfig())

    def forget_late_commits(self) -> None:
        """A reset: the pending late commits never happen."""
        for task in self.late:
            task.cancel()
        self.late.clear()

    def throttled(self, path: str) -> str | None:
        """The `Retry-After` value when the path's company is throttled."""
        match = COMPANY_PATH.match(path)
        if match is None or not self.config.throttle:
            return None
        company_id = int(match.group(1)) if match.group(1).isdigit() else None
        for throttle in self.config.throttle:
            if throttle.company_id == company_id:
                return throttle.retry_after
        return None

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def retry_after(self, token_key: str) -> int | None:
        """Count one request against the token's budget; seconds to wait when over it."""
        limit = self.config.rate_limit
        if limit is None:
            return None
        now = time.monotonic()
        start, count = self.windows.get(token_key, (now, 0))
        if now - start >= limit.per_seconds:
            start, count = now, 0
        if count >= limit.requests:
            return max(1, math.ceil(start + limit.per_seconds - now))
        self.windows[token_key] = (start, count + 1)
        return None


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return bytes(value).decode("latin-1")
    return ""


async def drop_connection(receive: Receive) -> None:
    """Close the client's socket without sending a single byte of response.

    Under uvicorn ``receive`` is a bound method of its RequestResponseCycle, which holds the
    asyncio transport; closing it makes the client see "Server disconnected without sending
    a response". We then wait for uvicorn's ``http.disconnect`` so it marks the cycle as
    disconnected and does not try to answer 500. Without a socket (in-process
    ``httpx.ASGITransport``) we raise the transport error the client would have seen.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport.close()
    async with asyncio.timeout(5):
        while (await receive())["type"] != "http.disconnect":
            pass


async def _client_left_within(seconds: float, receive: Receive) -> bool:
    """Hang for ``seconds``; True when the client hung up first (nobody left to answer)."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({watcher}, timeout=seconds)
    finally:
        watcher.cancel()
    return watcher.done() and not watcher.cancelled()


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1"):
            await self.app(scope, receive, send)
            return
        stats = self.faults.stats
        stats.requests += 1
        stats.in_flight += 1
        stats.max_concurrency = max(stats.max_concurrency, stats.in_flight)

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                stats.by_status[str(message["status"])] += 1
            await send(message)

        try:
            await self._handle(scope, receive, counting_send)
        finally:
            stats.in_flight -= 1

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.faults
        config = faults.config
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        throttled = faults.throttled(scope["path"])
        wait = faults.retry_after(_bearer(scope)) if throttled is None else throttled
        if wait is not None:
            body = error_body("client.rate_limit", "Te veel verzoeken, probeer het later opnieuw")
            response = JSONResponse(body, status_code=429, headers={"Retry-After": str(wait)})
            await response(scope, receive, send)
            return
        creates_invoice = scope["method"] == "POST" and INVOICE_CREATE.match(scope["path"])
        if creates_invoice:
            faults.stats.invoice_posts += 1
        if faults.roll(config.timeout_rate):
            if await _client_left_within(config.timeout_seconds, receive):
                return
            response = JSONResponse(error_body("server", "Gateway Timeout"), status_code=504)
            await response(scope, receive, send)
            return
        if faults.roll(config.error_rate):
            status = faults.rng.choice((500, 502, 503))
            response = JSONResponse(error_body("server", "Interne serverfout"), status_code=status)
            await response(scope, receive, send)
            return
        if creates_invoice and faults.roll(config.late_commit_rate):
            await self._answer_now_store_later(scope, receive, send)
            return
        if creates_invoice and faults.roll(config.drop_after_commit_rate):
            await self._store_then_drop(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _answer_now_store_later(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The router gives up at once (503) while the application goes on: the invoice is
        stored `late_commit_seconds` later, its api_reference not checked for uniqueness."""
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending its body: nothing to commit
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        delay = self.faults.config.late_commit_seconds
        self.faults.stats.late_commits += 1

        async def commit_later() -> None:
            await asyncio.sleep(delay)
            delivered = False

            async def replay() -> Message:
                nonlocal delivered
                if delivered:
                    await asyncio.Event().wait()  # nobody disconnects: the answer is dropped
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def discard(message: Message) -> None:
                return None

            await self.app({**scope, LATE_COMMIT: True}, replay, discard)

        task = asyncio.get_running_loop().create_task(commit_later())
        self.faults.late.add(task)
        task.add_done_callback(self.faults.late.discard)
        response = JSONResponse(error_body("server", "Service Unavailable"), status_code=503)
        await response(scope, receive, send)

    async def _store_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        status = held[0].get("status") if held else None
        if status != 201:
            # Nothing was stored (validation, auth…): answer normally.
            for message in held:
                await send(message)
            return
        self.faults.stats.dropped += 1
        await drop_connection(receive)
