"""The customer's signature: a sound PNG of at most 200 KB, replaced until completion."""

import base64
import io
import os
import struct
import zlib

import httpx
import pytest
from PIL import Image

from services.simon_api.signatures.png import MAX_BYTES, NotAPng, check_png
from tests.simon_api.support import Api, signature_body, signature_png
from tests.support.tenants import TenantKey


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _noise_png(side: int) -> bytes:
    """Random pixels do not compress: a PNG far over 200 KB at a modest size."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _with_ihdr(png: bytes, width: int, height: int) -> bytes:
    """The PNG with another size in its IHDR (CRC recomputed): a lying header."""
    body = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + body + struct.pack(">I", zlib.crc32(body)) + png[33:]


async def test_signing_and_reading_it_back(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    png = signature_png()
    signed = await api.put(f"/work-orders/{work_order['id']}/signature", signature_body(png=png))
    assert signed["name"] == "J. Jansen"
    assert signed["signed_by_id"] == office.employee_id
    read = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/signature", headers=office.headers
    )
    assert read.status_code == 200
    assert base64.b64decode(read.json()["image"]) == png
    body = await client.get(f"/api/v1/work-orders/{work_order['id']}", headers=office.headers)
    assert body.json()["signature"] == {"name": "J. Jansen", "signed_at": signed["signed_at"]}


async def test_a_data_url_from_a_signature_pad_is_accepted(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    response = await client.put(
        f"/api/v1/work-orders/{work_order['id']}/signature",
        json={"name": "J. Jansen", "image": "data:image/png;base64," + _b64(signature_png())},
        headers=field.headers,
    )
    assert response.status_code == 200


async def test_a_new_signature_replaces_the_old_one_until_completion(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    path = f"/work-orders/{work_order['id']}/signature"
    await api.put(path, signature_body("Eerste"))
    second = signature_png(200, 80)
    await api.put(path, signature_body("Tweede", second))
    read = await client.get(f"/api/v1{path}", headers=office.headers)
    assert (read.json()["name"], base64.b64decode(read.json()["image"])) == ("Tweede", second)

    await api.post(f"/work-orders/{work_order['id']}/time-entries", {"kind": "work", "minutes": 60})
    await api.post(f"/work-orders/{work_order['id']}/complete", status=200)
    problem = await api.put(path, signature_body("Derde"), status=409)
    assert problem["code"] == "work_order_completed"
    await api.post(f"/work-orders/{work_order['id']}/archive", status=200)
    problem = await api.put(path, signature_body("Derde"), status=409)
    assert problem["code"] == "work_order_archived"
    kept = await client.get(f"/api/v1{path}", headers=office.headers)
    assert kept.json()["name"] == "Tweede"


async def test_a_work_order_without_signature_answers_null(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    response = await client.get(
        f"/api/v1/work-orders/{work_order['id']}/signature", headers=office.headers
    )
    assert (response.status_code, response.json()) == (200, None)


JPEG = io.BytesIO()
Image.new("RGB", (40, 20), "white").save(JPEG, format="JPEG")


@pytest.mark.parametrize(
    ("image", "says"),
    [
        ("not base64!", "Not base64"),
        (_b64(JPEG.getvalue()), "PNG signature"),
        (_b64(b"\x89PNG\r\n\x1a\n"), "IHDR"),
        (_b64(signature_png()[:200]), "damaged or incomplete"),
        (_b64(signature_png()[:40] + b"\x00" * 10 + signature_png()[50:]), "damaged"),
        (_b64(_with_ihdr(signature_png(), 5000, 100)), "at most 2000"),
        (_b64(_noise_png(300)), "at most 200 KB"),
        ("", "PNG signature"),
    ],
)
async def test_anything_but_a_sound_png_is_a_422_on_image(api: Api, image: str, says: str) -> None:
    work_order = await api.planned_work_order()
    problem = await api.put(
        f"/work-orders/{work_order['id']}/signature", {"name": "X", "image": image}, status=422
    )
    assert [e["field"] for e in problem["errors"]] == ["image"]
    assert says in problem["errors"][0]["message"]


@pytest.mark.parametrize("body", [{"image": "x"}, {"name": "", "image": "x"}, {"name": "X"}])
async def test_name_and_image_are_required(
    api: Api, client: httpx.AsyncClient, office: TenantKey, body: dict[str, str]
) -> None:
    work_order = await api.planned_work_order()
    response = await client.put(
        f"/api/v1/work-orders/{work_order['id']}/signature", json=body, headers=office.headers
    )
    assert response.status_code == 422


def _padded_png(total: int) -> bytes:
    """A sound PNG of exactly `total` bytes: a comment chunk after the IHDR fills it up."""
    png = signature_png()
    filler = total - len(png) - 12 - len(b"Comment\0")
    chunk = b"tEXt" + b"Comment\0" + b"x" * filler
    padded = png[:33] + struct.pack(">I", len(chunk) - 4) + chunk
    return padded + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


@pytest.mark.parametrize(("size", "status"), [(MAX_BYTES, 200), (MAX_BYTES + 1, 422)])
async def test_200_kb_is_the_limit(api: Api, size: int, status: int) -> None:
    png = _padded_png(size)
    assert len(png) == size
    work_order = await api.planned_work_order()
    await api.put(
        f"/work-orders/{work_order['id']}/signature", signature_body(png=png), status=status
    )


def test_check_png_reads_the_size() -> None:
    assert check_png(signature_png()) == (360, 120)


def test_a_damaged_ihdr_crc_is_refused() -> None:
    png = bytearray(signature_png())
    png[30] ^= 0xFF
    with pytest.raises(NotAPng, match="IHDR chunk is damaged"):
        check_png(bytes(png))
