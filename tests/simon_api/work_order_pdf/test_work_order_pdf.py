"""The work-order PDF, read back: its text with pypdf, and a page as a picture (pdftoppm)."""

import asyncio
import io
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader

from shared.clock import today_in_amsterdam
from tests.simon_api.support import Api, Json, signature_body
from tests.support.tenants import TenantKey


async def _pdf(client: httpx.AsyncClient, who: TenantKey, work_order_id: int) -> httpx.Response:
    response = await client.get(f"/api/v1/work-orders/{work_order_id}/pdf", headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
async def full_work_order(api: Api, client: httpx.AsyncClient, office: TenantKey) -> Json:
    """Everything the customer's document shows, filled in."""
    work_order = await api.planned_work_order(description="Cv-ketel lekt bij de vulkraan")
    wid = work_order["id"]
    customer_id = work_order["customer_id"]
    person = await api.post(
        "/contact-persons",
        {"customer_id": customer_id, "name": "Anja de Boer", "phone": "06-12345678"},
    )
    boiler = await api.post(
        "/objects",
        {
            "customer_id": customer_id,
            "name": "CV-ketel",
            "brand": "Remeha",
            "model": "Tzerra 24",
            "serial_number": "RT-2231",
        },
    )
    await client.patch(
        f"/api/v1/work-orders/{wid}",
        json={"contact_person_id": person["id"], "object_id": boiler["id"]},
        headers=office.headers,
    )
    article = await api.article(code="KB15", description="Koperen bocht 15 mm")
    await api.post(f"/work-orders/{wid}/materials", {"article_id": article["id"], "quantity": "4"})
    await api.post(f"/work-orders/{wid}/time-entries", {"kind": "work", "minutes": 120})
    await api.post(f"/work-orders/{wid}/time-entries", {"kind": "travel", "minutes": 15})
    template = await api.template()
    form = await api.form(wid, template["id"])
    await api.put(
        f"/work-orders/{wid}/forms/{form['id']}",
        {
            "answers": {
                "meterstand": 12345,
                "gereinigd": True,
                "onderdelen": ["pakking", "expansievat"],
                "volgende_beurt": "2027-12-01",
            }
        },
    )
    await api.put(f"/work-orders/{wid}/signature", signature_body("J. Jansen"))
    return work_order


async def test_the_pdf_shows_everything_the_customer_receives(
    client: httpx.AsyncClient, office: TenantKey, full_work_order: Json
) -> None:
    response = await _pdf(client, office, full_work_order["id"])
    number = full_work_order["number"]
    assert response.headers["content-disposition"] == f'inline; filename="werkbon-{number}.pdf"'
    text = _text(response.content)
    for expected in (
        "Tenant A",  # the company
        f"Werkbon {number}",
        "Bakkerij Jansen",
        "Kerkstraat 5, Utrecht",  # the work address
        "Anja de Boer",
        "06-12345678",
        "CV-ketel Remeha Tzerra 24",
        "RT-2231",
        "Cv-ketel lekt bij de vulkraan",
        "Werktijd",
        "2:00 uur",
        "Reistijd",
        "0:15 uur",
        "KB15",
        "Koperen bocht 15 mm",
        "Onderhoud cv-ketel",
        "Meterstand",
        "12345",
        "Brander gereinigd",
        "pakking, expansievat",
        "01-12-2027",
        "Handtekening klant",
        "J. Jansen",
        today_in_amsterdam().strftime("%d-%m-%Y"),
    ):
        assert expected in text, expected


async def test_a_bare_work_order_still_makes_a_document(
    api: Api, client: httpx.AsyncClient, field: TenantKey
) -> None:
    work_order = await api.post("/work-orders", {"description": "Lekkage 💧 keuken"})
    text = _text((await _pdf(client, field, work_order["id"])).content)
    assert "geen klant gekozen" in text
    assert "Geen uren geboekt." in text
    assert "Niet getekend." in text
    assert "Lekkage ? keuken" in text  # beyond the standard fonts' characters


async def test_a_long_work_order_runs_over_pages_with_every_line(
    api: Api, client: httpx.AsyncClient, office: TenantKey
) -> None:
    work_order = await api.planned_work_order()
    for n in range(60):
        article = await api.article(code=f"ART{n:02d}", description=f"Artikel nummer {n}")
        await api.post(
            f"/work-orders/{work_order['id']}/materials",
            {"article_id": article["id"], "quantity": "1"},
        )
    pdf = (await _pdf(client, office, work_order["id"])).content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = _text(pdf)
    assert all(f"ART{n:02d}" in text for n in range(60))
    assert text.count("Omschrijving") >= 3  # the section, and the heading on each page


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
async def test_the_pages_render_as_a4_with_the_signature_drawn(
    client: httpx.AsyncClient, office: TenantKey, full_work_order: Json, tmp_path: Path
) -> None:
    pdf = tmp_path / "werkbon.pdf"
    pdf.write_bytes((await _pdf(client, office, full_work_order["id"])).content)
    await asyncio.to_thread(
        subprocess.run,
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    pages = sorted(await asyncio.to_thread(lambda: list(tmp_path.glob("page-*.png"))))
    assert pages
    for page in pages:
        with Image.open(page) as image:
            width, height = image.size
            assert abs(width / height - 210 / 297) < 0.01
    with Image.open(pages[-1]) as last:
        data = last.convert("RGB").tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    # The text is black and grey (r = g = b); the signature's strokes are dark blue.
    ink = [p for p in pixels if p[2] - p[0] > 20 and p[2] < 160]
    text = [p for p in pixels if max(p) < 80 and max(p) - min(p) < 10]
    assert len(ink) > 20, "no signature strokes on the last page"
    assert len(text) > 200, "no text on the last page"
