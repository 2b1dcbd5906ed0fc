"""Bodies up to 1 MiB reach simon_api whole (the limit itself: tests/shared/test_body_limit.py)."""

from collections.abc import AsyncIterator

import httpx

from shared.body_limit import MAX_BODY_BYTES
from tests.support.tenants import TenantKey


def padded(json_text: str, size: int) -> bytes:
    """`json_text` with whitespace before its closing brace, `size` bytes in all."""
    body = json_text.encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def test_a_body_of_exactly_the_limit_is_accepted(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    response = await client.post(
        "/api/v1/customers",
        content=padded('{"name": "Bakkerij Jansen"}', MAX_BODY_BYTES),
        headers={**office.headers, "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Bakkerij Jansen"


async def test_a_small_chunked_body_is_replayed_whole(
    client: httpx.AsyncClient, office: TenantKey
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": '
        yield b'"Bakkerij Jansen"}'

    response = await client.post(
        "/api/v1/customers",
        content=chunks(),
        headers={**office.headers, "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Bakkerij Jansen"
