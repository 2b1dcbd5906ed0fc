"""Over real HTTP, with no database to reach: both services start, answer 503
`database_unavailable` quickly, and keep the client's keep-alive connection open across
those answers (no exception reaches uvicorn, which would drop it)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.processes import free_port, start_service, stop

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, str]]:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/simon"
    api, api_url = start_service("services.simon_api.main:create_app", {"DATABASE_URL": nowhere})
    try:
        worker, worker_url = start_service(
            "services.sync_worker.main:create_app", {"DATABASE_URL": nowhere}
        )
        try:
            yield {"simon_api": api_url, "sync_worker": worker_url}
        finally:
            stop(worker)
    finally:
        stop(api)


def _read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return status, headers, body


@pytest.mark.parametrize(
    ("service", "path"),
    [("simon_api", "/api/v1/work-orders"), ("sync_worker", "/api/v1/integration")],
)
def test_503s_keep_the_connection_alive(services: dict[str, str], service: str, path: str) -> None:
    host, port = services[service].removeprefix("http://").split(":")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer sim_x\r\n\r\n"
    ).encode()
    ready = f"GET /ready HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        for message in (request, request, ready):
            connection.sendall(message)
            status, headers, body = _read_response(connection)
            assert status == 503, body
            assert headers["content-type"] == "application/problem+json"
            assert headers.get("connection", "keep-alive") != "close"
        assert b'"down":["database"' in body
        assert headers.get("retry-after") is None  # /ready: not_ready, no Retry-After
