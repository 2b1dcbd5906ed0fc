"""GET /work-orders/{id}/pdf for a work order with 50 lines and 3 forms (target p99 ≤ 150 ms).

A throw-away embedded PostgreSQL (or DATABASE_URL), simon_api with uvicorn on 127.0.0.1;
the work order is built through the API itself: customer, work address, contact person,
object, 10 time entries and 40 materials, three forms of eight answered questions each and
the customer's signature. Then `--requests` sequential GETs of its PDF (after a warm-up),
or as many spread over `--clients` concurrent clients. Prints p50/p99, pages and size.

    .venv/bin/python bench/work_order_pdf.py [--requests 300] [--clients 1]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_ENTRIES = 10
MATERIALS = 40
FORMS = 3
QUESTIONS = [
    {"key": "meterstand", "label": "Meterstand", "type": "number", "on_invoice": True},
    {"key": "druk", "label": "Waterdruk (bar)", "type": "number"},
    {"key": "gereinigd", "label": "Brander gereinigd", "type": "yes_no", "required": True},
    {"key": "lekdicht", "label": "Rookgasafvoer lekdicht", "type": "yes_no"},
    {"key": "toestand", "label": "Toestand", "type": "choice", "options": ["goed", "matig"]},
    {
        "key": "onderdelen",
        "label": "Vervangen onderdelen",
        "type": "multi_choice",
        "options": ["pakking", "elektrode", "expansievat"],
    },
    {"key": "volgende", "label": "Volgende beurt", "type": "date"},
    {"key": "opmerking", "label": "Opmerking", "type": "text"},
]
ANSWERS = {
    "meterstand": 12345,
    "druk": "1.8",
    "gereinigd": True,
    "lekdicht": True,
    "toestand": "goed",
    "onderdelen": ["pakking", "elektrode"],
    "volgende": "2027-12-01",
    "opmerking": "Ketel gereinigd en ontlucht; expansievat op druk gebracht. " * 3,
}


def signature() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(30, 150), (150, 40), (300, 160), (450, 50), (570, 140)], width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


async def build_work_order(base: str, key: str) -> int:
    import httpx

    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as api:

        async def post(path: str, body: dict[str, Any], method: str = "POST") -> Any:
            response = await api.request(method, path, json=body)
            response.raise_for_status()
            return response.json()

        customer = await post("/customers", {"name": "Bakkerij Jansen", "city": "Utrecht"})
        owned = {"customer_id": customer["id"]}
        address = await post("/work-addresses", {**owned, "street": "Nieuwstraat 93"})
        person = await post("/contact-persons", {**owned, "name": "Anja de Boer"})
        boiler = await post("/objects", {**owned, "name": "CV-ketel", "brand": "Remeha"})
        me = (await api.get("/employees")).json()["items"][0]
        order = await post(
            "/work-orders",
            {
                **owned,
                "work_address_id": address["id"],
                "contact_person_id": person["id"],
                "object_id": boiler["id"],
                "description": "Jaarlijks onderhoud cv-ketel en vervangen expansievat",
                "assignee_id": me["id"],
                "planned_date": "2026-12-01",
            },
        )
        path = f"/work-orders/{order['id']}"
        for n in range(TIME_ENTRIES):
            kind = "travel" if n % 5 == 0 else "work"
            await post(f"{path}/time-entries", {"kind": kind, "minutes": 15 + n * 5})
        for n in range(MATERIALS):
            article = await post(
                "/articles",
                {"code": f"ART{n:03d}", "description": f"Koperen bocht {n} mm", "price": "2.35"},
            )
            await post(f"{path}/materials", {"article_id": article["id"], "quantity": "2"})
        for n in range(FORMS):
            template = await post(
                "/form-templates", {"name": f"Onderhoud {n + 1}", "questions": QUESTIONS}
            )
            form = await post(f"{path}/forms", {"template_id": template["id"]})
            await post(f"{path}/forms/{form['id']}", {"answers": ANSWERS}, method="PUT")
        await post(f"{path}/signature", {"name": "J. Jansen", "image": signature()}, "PUT")
        return int(order["id"])


async def measure(base: str, key: str, work_order_id: int, requests: int, clients: int) -> Any:
    import httpx
    from pypdf import PdfReader

    headers = {"Authorization": f"Bearer {key}"}
    path = f"/api/v1/work-orders/{work_order_id}/pdf"
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(20):  # warm-up
            response = await client.get(path)
            response.raise_for_status()
        pages = len(PdfReader(io.BytesIO(response.content)).pages)

        async def one_client(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                answer = await client.get(path)
                latencies.append(time.perf_counter() - started)
                answer.raise_for_status()

        share = [requests // clients + (n < requests % clients) for n in range(clients)]
        started = time.perf_counter()
        await asyncio.gather(*(one_client(count) for count in share))
        elapsed = time.perf_counter() - started
    return sorted(latencies), elapsed, pages, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()

    from shared.auth import create_tenant
    from shared.db import create_engine, create_sessionmaker
    from shared.migrate import upgrade
    from tests.support.database import admin_execute, with_database
    from tests.support.processes import start_service, stop

    server = None
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        import pgserver

        directory = tempfile.mkdtemp(prefix="simon-pdf-")
        os.environ.setdefault("XDG_RUNTIME_DIR", directory)
        server = pgserver.get_server(directory, cleanup_mode="delete")
        base_url = f"postgresql://postgres@/postgres?host={directory}"
    name = f"simon_pdf_{uuid.uuid4().hex[:8]}"
    admin_execute(base_url, f"CREATE DATABASE {name}")
    url = with_database(base_url, name)
    upgrade(url)

    async def tenant() -> str:
        engine = create_engine(url, pool_size=1)
        async with create_sessionmaker(engine)() as session:
            _, _, key = await create_tenant(session, "Installatiebedrijf De Vries")
            await session.commit()
        await engine.dispose()
        return key

    key = asyncio.run(tenant())
    process, base = start_service("services.simon_api.main:create_app", {"DATABASE_URL": url})
    try:
        work_order_id = asyncio.run(build_work_order(base, key))
        latencies, elapsed, pages, size = asyncio.run(
            measure(base, key, work_order_id, args.requests, args.clients)
        )
    finally:
        stop(process)
        if server is not None:
            server.cleanup()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    print(
        f"RESULT work_order_pdf lines={TIME_ENTRIES + MATERIALS} forms={FORMS} pages={pages} "
        f"bytes={size} requests={len(latencies)} clients={args.clients} "
        f"rps={len(latencies) / elapsed:.1f} p50={p50:.1f}ms p99={p99:.1f}ms "
        f"max={latencies[-1] * 1000:.1f}ms (target p99 <= 150 ms)"
    )


if __name__ == "__main__":
    main()
