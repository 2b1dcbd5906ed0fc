"""A request body over the limit (1 MiB) answers 413 before anything else runs.

Pure ASGI, outermost: no authentication, routing or JSON parsing happens for it, so a
client cannot make either service read or parse a large body. A declared
`Content-Length` is judged from the headers alone; a chunked body is read up to the limit
first (our bodies are small JSON) and replayed to the app when it fits.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024

_PROBLEM = json.dumps(
    {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        "code": "body_too_large",
    }
).encode()


async def body_too_large(send: Send) -> None:
    """Answer 413 `body_too_large` (problem+json) and close the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(_PROBLEM)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _PROBLEM})


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await body_too_large(send)
                return
            await self.app(scope, receive, send)
            return
        if not chunked:
            await self.app(scope, receive, send)
            return
        buffered = await self._read_chunked(receive)
        if buffered is None:
            await body_too_large(send)
            return
        await self.app(scope, _replay(buffered, receive), send)

    async def _read_chunked(self, receive: Receive) -> list[Message] | None:
        """The body's messages, or None as soon as they pass the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
