"""Against a real uvicorn server on 127.0.0.1: what a client sees when the sandbox drops."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from services.rompslomp_sandbox.app import create_app
from services.rompslomp_sandbox.settings import SandboxSettings
from tests.rompslomp_sandbox.support import invoice_body


@pytest.fixture(params=["httptools", "h11"])
async def server_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A sandbox served by uvicorn in this event loop on a random free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # clients may connect before uvicorn starts accepting
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(SandboxSettings(auto_approve=True)),
        http=request.param,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_drop_after_commit_over_tcp_closes_the_socket_without_a_response(
    server_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=server_url, timeout=5) as client:
        company = (await client.post("/_sandbox/companies", json={"name": "Drop B.V."})).json()
        company_id = company["company"]["id"]
        contact = await client.post(
            f"/_sandbox/companies/{company_id}/contacts", json={"company_name": "Klant"}
        )
        tokens = (await client.post("/_sandbox/tokens", json={})).json()
        await client.put("/_sandbox/faults", json={"drop_after_commit_rate": 1.0})
        body = invoice_body(contact.json()["contact"]["id"], api_reference="WO-TCP-1")

        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.post(
                f"/api/v1/companies/{company_id}/sales_invoices",
                json=body,
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )

        dump = await client.get(f"/_sandbox/companies/{company_id}/sales_invoices")
        stats = await client.get("/_sandbox/stats")
    assert [i["api_reference"] for i in dump.json()["sales_invoices"]] == ["WO-TCP-1"]
    assert stats.json()["dropped"] == 1


async def test_timeout_fault_over_tcp_makes_the_client_time_out(server_url: str) -> None:
    async with httpx.AsyncClient(base_url=server_url) as client:
        tokens = (await client.post("/_sandbox/tokens", json={})).json()
        await client.put("/_sandbox/faults", json={"timeout_rate": 1.0, "timeout_seconds": 30})
        with pytest.raises(httpx.ReadTimeout):
            await client.get(
                "/api/v1/companies",
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
                timeout=httpx.Timeout(5, read=0.2),
            )
