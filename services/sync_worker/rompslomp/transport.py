"""The HTTP transport under the Rompslomp client: httpx and httpcore as ever, on sockets
driven by asyncio directly (issue 11 §7).

httpx's default transport reaches its sockets through anyio, which costs the worker about a
millisecond of CPU per request (a listing is 230 of them for 23,000 records): a cancel scope
per read and per write, and the connection pool asking every idle connection whether the
server closed it (`is_readable`) on every request that starts or ends, each time through a
`getpeername` and a `poll` call. Here the same httpcore pool and HTTP/1.1 code run over an
`asyncio.Protocol`: reads and writes wait on one future, and a connection knows it was closed
or sent something unasked because the event loop already told it (`eof_received`,
`data_received`), without a system call.

Everything above the sockets is httpcore's and httpx's: connection reuse, keep-alive
expiry, TLS (`loop.start_tls`), timeouts and the exceptions (httpcore's, which httpx maps to
its own: a refused connection is still `httpx.ConnectError`, a silent server
`httpx.ReadTimeout`). Proxies from the environment keep httpx's own transport.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any, cast

import httpcore
import httpx

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)

READ_AHEAD = 1 << 20  # bytes the loop reads ahead of httpcore before it stops reading

# A closed or failed connection reads as this: httpcore turns an empty read into "the server
# closed the connection" where that is allowed, and into an error where it is not.
_EMPTY = b""


class _Protocol(asyncio.Protocol):
    """One connection's received bytes, end of stream and write pressure."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.lost: BaseException | None = None  # why the connection ended, when it failed
        self.closed = False
        self._reader: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    # -- asyncio's side ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's do not derive from asyncio.Transport).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_AHEAD and self.transport is not None:
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close our side too: HTTP/1.1 has no use for a half-open connection

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        self.lost = exc
        self._wake_reader()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _wake_reader(self) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(None)

    # -- the stream's side ------------------------------------------------------------

    async def readable(self) -> None:
        """Wait until bytes, the end of the stream or a failure arrived."""
        if self.buffer or self.eof or self.closed:
            return
        self._reader = asyncio.get_running_loop().create_future()
        try:
            await self._reader
        finally:
            self._reader = None

    async def drained(self) -> None:
        """Wait until the transport takes more bytes (it buffers above its high-water mark)."""
        if self._writable is not None and not self._writable.done():
            await self._writable


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - httpcore's interface
        protocol = self._protocol
        if not protocol.buffer:
            try:
                async with asyncio.timeout(timeout):
                    await protocol.readable()
            except TimeoutError as exc:
                raise httpcore.ReadTimeout(str(exc) or "read timed out") from exc
        buffer = protocol.buffer
        if buffer:
            if len(buffer) <= max_bytes:  # the usual case: all of it, one copy
                data = bytes(buffer)
                buffer.clear()
            else:
                data = bytes(buffer[:max_bytes])
                del buffer[:max_bytes]
            if not self._transport.is_reading() and len(buffer) <= READ_AHEAD:
                self._transport.resume_reading()
            return data
        if protocol.lost is not None:
            raise httpcore.ReadError(str(protocol.lost)) from protocol.lost
        return _EMPTY  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        if self._protocol.closed or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        try:
            self._transport.write(buffer)
            async with asyncio.timeout(timeout):
                await self._protocol.drained()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc
        except (OSError, RuntimeError) as exc:
            raise httpcore.WriteError(str(exc)) from exc
        if self._protocol.lost is not None:
            raise httpcore.WriteError(str(self._protocol.lost)) from self._protocol.lost

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport,
                    self._protocol,
                    ssl_context,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=timeout,
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout(str(exc) or "TLS handshake timed out") from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:  # the connection went away during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._protocol.transport = transport  # start_tls does not call connection_made
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle HTTP/1.1 connection that has anything to read was closed by the server
            # (or broke the protocol): the pool drops it. The loop already read it for us.
            protocol = self._protocol
            return bool(protocol.buffer) or protocol.eof or protocol.closed
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's transports (asyncio programs only)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                )  # no happy_eyeballs_delay: uvloop (uvicorn's loop) does not take it
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        _apply(transport, socket_options)
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_unix_connection(_Protocol, path)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        _apply(transport, socket_options)
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _apply(transport: asyncio.BaseTransport, options: Iterable[SocketOption] | None) -> None:
    sock: socket.socket | None = transport.get_extra_info("socket")
    if sock is None:
        return
    for option in options or ():
        sock.setsockopt(*option)


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (its request and response mapping, its exceptions) over an
    httpcore connection pool on `AsyncioBackend`."""

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
    ) -> None:
        # Not super().__init__: it builds the same pool without a way to pass the backend
        # (httpx 0.27–0.28); `_pool` is all its methods use.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=trust_env),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )


def http_client(
    *,
    max_connections: int,
    max_keepalive_connections: int,
    timeout: httpx.Timeout,
    headers: dict[str, str] | None = None,
    event_hooks: dict[str, list[Any]] | None = None,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for Rompslomp on `AsyncioTransport`."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
    )
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        headers=headers,
        event_hooks=event_hooks,
        transport=AsyncioTransport(limits=limits),
    )
