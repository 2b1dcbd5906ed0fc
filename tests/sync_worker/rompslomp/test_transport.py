"""The HTTP transport on asyncio's sockets (rompslomp/transport.py) against real sockets:
keep-alive reuse, a server that closes an idle connection, refused connections, silent
servers, bodies larger than the read-ahead, a connection cut mid-response, and TLS; the
same on uvloop, the loop uvicorn runs the worker on."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.sync_worker.rompslomp.transport import READ_AHEAD, AsyncioTransport, http_client

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(
    handler: Handler, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[str, list[int]]]:
    """A server on 127.0.0.1: its base URL and a list that counts its connections."""
    connections: list[int] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}", connections
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One request's head and body (Content-Length bodies only)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head, await reader.readexactly(length) if length else b""


def response(body: bytes, *, close: bool = False) -> bytes:
    extra = b"Connection: close\r\n" if close else b""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )


def client(timeout: float = 5.0) -> httpx.AsyncClient:
    return http_client(
        max_connections=4, max_keepalive_connections=4, timeout=httpx.Timeout(timeout)
    )


async def test_requests_reuse_a_kept_alive_connection() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            writer.write(response(b'{"path": "%s"}' % head.split(b" ")[1]))
            await writer.drain()

    async with serve(handler) as (base, connections), client() as http:
        for number in range(1, 4):
            answer = await http.get(f"{base}/items", params={"page": number})
            assert answer.status_code == 200
            assert answer.json() == {"path": f"/items?page={number}"}
    assert len(connections) == 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(b"{}"))  # keep-alive announced, then the server hangs up
        await writer.drain()

    async with serve(handler) as (base, connections), client() as http:
        assert (await http.get(f"{base}/one")).status_code == 200
        await asyncio.sleep(0.05)  # the close reaches the client
        assert (await http.get(f"{base}/two")).status_code == 200
    assert len(connections) == 2


async def test_a_posted_body_arrives_whole() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, body = await read_request(reader)
        writer.write(response(body))
        await writer.drain()

    payload = {"sales_invoice": {"lines": [{"description": "x" * 1000}] * 200}}
    async with serve(handler) as (base, _), client() as http:
        answer = await http.post(f"{base}/echo", json=payload)
    assert answer.json() == payload


async def test_a_body_larger_than_the_read_ahead_is_read_whole() -> None:
    body = b'"' + b"a" * (3 * READ_AHEAD) + b'"'

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(response(body))
            await writer.drain()

    async with serve(handler) as (base, connections), client() as http:
        async with http.stream("GET", f"{base}/big") as streamed:
            received = b""
            async for chunk in streamed.aiter_raw():
                received += chunk
                await asyncio.sleep(0)  # a slow reader: the loop stops reading ahead
        assert received == body
        assert (await http.get(f"{base}/big")).content == body  # the connection is still good
    assert len(connections) == 1


async def test_a_refused_connection_is_a_connect_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with serve(handler) as (base, _):
        pass  # closed again: nothing listens on the port now
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{base}/gone")


async def test_a_silent_server_is_a_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async with serve(handler) as (base, _), client(timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{base}/slow")


async def test_a_response_cut_off_is_a_transport_error_not_a_connect_error() -> None:
    """The client may resend a POST only after a ConnectError (it never arrived)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(b'{"id": 1, "more": "..."}')[:-10])
        await writer.drain()

    async with serve(handler) as (base, _), client() as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.post(f"{base}/sales_invoices", json={})
    assert not isinstance(caught.value, httpx.ConnectError | httpx.ConnectTimeout)


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_with_a_verified_certificate(tmp_path: Path) -> None:
    cert_path, key_path = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(response(b'{"secure": true}'))
            await writer.drain()

    trusting = ssl.create_default_context(cafile=str(cert_path))
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with serve(handler, tls=server_tls) as (base, connections):
        async with httpx.AsyncClient(
            transport=AsyncioTransport(limits=limits, verify=trusting)
        ) as http:
            assert (await http.get(f"{base}/a")).json() == {"secure": True}
            assert (await http.get(f"{base}/b")).json() == {"secure": True}
        assert len(connections) == 1
        async with client() as untrusting:  # the system's CAs do not know this certificate
            with pytest.raises(httpx.ConnectError):
                await untrusting.get(f"{base}/a")


def test_on_uvloop_as_under_uvicorn(tmp_path: Path) -> None:
    """uvicorn runs the worker on uvloop when it is installed (uvicorn[standard])."""

    async def scenarios() -> None:
        assert "uvloop" in type(asyncio.get_running_loop()).__module__
        await test_requests_reuse_a_kept_alive_connection()
        await test_a_connection_the_server_closed_while_idle_is_not_reused()
        await test_a_body_larger_than_the_read_ahead_is_read_whole()
        await test_a_refused_connection_is_a_connect_error()
        await test_a_silent_server_is_a_read_timeout()
        await test_a_response_cut_off_is_a_transport_error_not_a_connect_error()
        await test_tls_with_a_verified_certificate(tmp_path)

    uvloop.run(scenarios())
