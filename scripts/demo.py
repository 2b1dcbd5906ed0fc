"""`make demo`: the whole story on the embedded defaults, printed step by step.

Starts the stack as `make run` does (embedded PostgreSQL, the Rompslomp sandbox, simon_api,
sync_worker with its job worker), then, as a fresh tenant's office employee: wipe → connect
to Rompslomp (the sandbox approves the consent itself) → three products made in Rompslomp
→ settings (work time, travel time, call-out fee, description as first line, filter word)
→ the first import of customers and
articles → a work order planned for a field employee, for the customer's boiler (an object)
and contact person, with 15 min travel, 120 min work, two materials and a maintenance form
whose meter reading goes on the invoice, signed by the customer → completed → archived →
the work-order PDF (saved beside the data) → the concept invoice as the sandbox holds it
(the meter reading as a text line after the description) and the integration log. Stops
everything at the end (exit 0 when the invoice arrived).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.stack import Stack, data_directory, say, start_stack
from shared.auth import create_tenant
from shared.db import create_engine, create_sessionmaker

WAIT_SECONDS = 120.0
# code, description, price excl. VAT: work time, travel time and the call-out fee.
DEMO_PRODUCTS = (
    ("WERK", "Arbeidsloon monteur per uur", "62.50"),
    ("REIS", "Reistijd monteur per uur", "55.00"),
    ("VOORRIJ", "Voorrijkosten", "45.00"),
)


# The office's maintenance form: the meter reading goes on the invoice.
MAINTENANCE_FORM = {
    "name": "Onderhoud cv-ketel",
    "questions": [
        {"key": "meterstand", "label": "Meterstand", "type": "number", "on_invoice": True},
        {"key": "gereinigd", "label": "Brander gereinigd", "type": "yes_no", "required": True},
        {"key": "toestand", "label": "Toestand", "type": "choice", "options": ["goed", "matig"]},
    ],
}
MAINTENANCE_ANSWERS = {"meterstand": 12345, "gereinigd": True, "toestand": "goed"}


def signature_png() -> str:
    """What a phone's signature pad sends: a PNG, base64."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    points = [(30, 120), (90, 40), (160, 125), (230, 45), (300, 120), (450, 60)]
    ImageDraw.Draw(image).line(points, fill="#123", width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


class Story:
    def __init__(self, stack: Stack, api_key: str, data_dir: Path) -> None:
        self.data_dir = data_dir
        headers = {"Authorization": f"Bearer {api_key}"}
        self.simon = httpx.Client(base_url=f"{stack.api_url}/api/v1", headers=headers, timeout=30)
        self.worker = httpx.Client(
            base_url=f"{stack.worker_url}/api/v1/integration", headers=headers, timeout=30
        )
        self.sandbox = httpx.Client(base_url=stack.sandbox_url or "", timeout=30)
        self.status_url = f"{stack.worker_url}/api/v1/integration"

    @staticmethod
    def ok(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise SystemExit(
                f"{response.request.method} {response.request.url} → "
                f"{response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def activate(self) -> int:
        preview = self.ok(self.worker.get("/wipe"))
        self.ok(self.worker.post("/wipe", json={"tables": [t["table"] for t in preview["tables"]]}))
        say("1. Wiped Simon's tables (first activation).")
        authorize_url = self.ok(self.worker.post("/connect"))["authorize_url"]
        consent = self.sandbox.get(authorize_url)  # the sandbox approves on the user's behalf
        if consent.status_code not in (302, 303):
            raise SystemExit(f"Rompslomp consent failed: {consent.status_code} {consent.text}")
        # The callback sends a browser on to the console (303), or answers with a page.
        callback = self.worker.get(consent.headers["location"])
        if callback.status_code not in (200, 303):
            raise SystemExit(f"The OAuth callback failed: {callback.status_code} {callback.text}")
        say("2. Connected to Rompslomp (OAuth code + PKCE).")
        administrations = self.ok(self.worker.get("/administrations"))["items"]
        company = next(a for a in administrations if a["api_accessible"])
        # What the office sets up in Rompslomp once: the products the invoices will use.
        for code, description, price in DEMO_PRODUCTS:
            self.ok(
                self.sandbox.post(
                    f"/_sandbox/companies/{company['id']}/products",
                    json={
                        "invoice_line": {
                            "product_code": code,
                            "description": description,
                            "price_per_unit": price,
                        }
                    },
                )
            )
        settings = {
            "administration_id": company["id"],
            "work_time_product": "WERK",
            "travel_time_product": "REIS",
            "standard_product": "VOORRIJ",
            "description_as_first_line": True,
            "filter_word": "intern",
            "accept_terms": True,
        }
        saved = self.ok(self.worker.put("/settings", json=settings))
        say(
            f"3. Settings saved for '{company['name']}': work time "
            f"{saved['work_time_product']['product_code']}, travel time "
            f"{saved['travel_time_product']['product_code']}, call-out fee "
            f"{saved['standard_product']['product_code']}; the integration is {saved['state']}."
        )
        return int(company["id"])

    def wait_for_import(self) -> None:
        def finished() -> list[dict[str, Any]] | None:
            runs = self.ok(self.worker.get(self.status_url))["sync"]
            done = [r for r in runs if r["status"] == "finished"]
            failed = [r for r in runs if r["status"] == "failed"]
            if failed:
                raise SystemExit(f"The import failed: {failed}")
            return runs if len(done) >= 2 else None

        runs = wait_until(finished, "the first import")
        for run in runs:
            say(f"4. Imported {run['entity']}: {run['fetched']} of {run['total']}.")

    def work_order(self) -> tuple[dict[str, Any], float]:
        customer = self.ok(self.simon.get("/customers", params={"limit": 1}))["items"][0]
        addresses = self.ok(
            self.simon.get("/work-addresses", params={"customer_id": customer["id"]})
        )["items"]
        articles = self.ok(self.simon.get("/articles", params={"limit": 200}))["items"]
        configured = {code for code, _, _ in DEMO_PRODUCTS}
        materials = sorted(
            (a for a in articles if a["code"] not in configured), key=lambda a: Decimal(a["price"])
        )[:2]
        fitter = self.ok(
            self.simon.post(
                "/employees",
                json={
                    "name": "Piet Monteur",
                    "email": f"piet.{time.time_ns()}@example.nl",
                    "role": "field",
                },
            )
        )
        owned = {"customer_id": customer["id"]}
        boiler = self.ok(
            self.simon.post(
                "/objects",
                json={**owned, "name": "CV-ketel", "brand": "Remeha", "model": "Tzerra 24"},
            )
        )
        person = self.ok(
            self.simon.post("/contact-persons", json={**owned, "name": "Anja de Boer"})
        )
        order = self.ok(
            self.simon.post(
                "/work-orders",
                json={
                    "customer_id": customer["id"],
                    "work_address_id": addresses[0]["id"] if addresses else None,
                    "contact_person_id": person["id"],
                    "object_id": boiler["id"],
                    "description": "CV-ketel onderhoud en vervangen expansievat",
                    "assignee_id": fitter["id"],
                    "planned_date": dt.datetime.now(dt.UTC).date().isoformat(),
                },
            )
        )
        path = f"/work-orders/{order['id']}"
        say(
            f"5. Work order {order['number']} for {customer['name']} (contact "
            f"{person['name']}, object {boiler['name']} {boiler['brand']} {boiler['model']}), "
            f"planned for {fitter['name']} today ({order['status']})."
        )
        self.ok(self.simon.post(f"{path}/time-entries", json={"kind": "travel", "minutes": 15}))
        self.ok(self.simon.post(f"{path}/time-entries", json={"kind": "work", "minutes": 120}))
        for article, quantity in zip(materials, ("4", "1.5"), strict=False):
            self.ok(
                self.simon.post(
                    f"{path}/materials", json={"article_id": article["id"], "quantity": quantity}
                )
            )
            say(f"   material: {quantity} × {article['code']} {article['description']}")
        say("   hours: 15 min travel, 120 min work.")
        template = self.ok(self.simon.post("/form-templates", json=MAINTENANCE_FORM))
        form = self.ok(self.simon.post(f"{path}/forms", json={"template_id": template["id"]}))
        self.ok(self.simon.put(f"{path}/forms/{form['id']}", json={"answers": MAINTENANCE_ANSWERS}))
        say(
            f"   form '{template['name']}': meterstand 12345 (on the invoice), brander "
            "gereinigd ja, toestand goed."
        )
        self.ok(
            self.simon.put(
                f"{path}/signature", json={"name": "A. de Boer", "image": signature_png()}
            )
        )
        say("   signed by the customer: A. de Boer.")
        self.ok(self.simon.post(f"{path}/complete"))
        archiving = time.monotonic()
        archived = self.ok(self.simon.post(f"{path}/archive"))
        say(f"6. Completed and archived ({archived['status']}).")
        self.pdf(archived)
        return dict(archived), archiving

    def pdf(self, order: dict[str, Any]) -> None:
        response = self.simon.get(f"/work-orders/{order['id']}/pdf")
        if response.status_code != 200:
            raise SystemExit(f"The work-order PDF failed: {response.status_code} {response.text}")
        target = self.data_dir / f"werkbon-{order['number']}.pdf"
        target.write_bytes(response.content)
        say(f"   work-order PDF for the customer: {target} ({len(response.content) // 1024} KB)")

    def invoice(self, company_id: int, order: dict[str, Any], archived_at: float) -> None:
        def sent() -> dict[str, Any] | None:
            exports = self.ok(self.worker.get("/exports"))["items"]
            mine = [e for e in exports if e["work_order_id"] == order["id"]]
            if mine and mine[0]["status"] in ("failed", "skipped"):
                raise SystemExit(f"The export ended {mine[0]['status']}: see the log")
            return mine[0] if mine and mine[0]["status"] == "sent" else None

        export = wait_until(sent, "the concept invoice")
        elapsed = time.monotonic() - archived_at
        invoices = self.ok(self.sandbox.get(f"/_sandbox/companies/{company_id}/sales_invoices"))
        invoice = next(
            i
            for i in invoices["sales_invoices"]
            if i.get("api_reference") == export["api_reference"]
        )
        say(f"7. Concept invoice in Rompslomp after {elapsed:.2f} s (as the sandbox holds it):")
        say(f"   id {invoice['id']}  status {invoice['status']}  contact {invoice['contact_id']}")
        say(f"   api_reference {invoice['api_reference']}")
        say(f"   description   {invoice.get('description')}")
        for line in invoice["invoice_lines"]:
            say(
                f"   {Decimal(line['quantity']):>7} × {Decimal(line['price_per_unit']):>9}  "
                f"{(line.get('description') or '')[:60]}"
            )
        say(
            f"   total excl. VAT {invoice.get('price_without_vat')}  "
            f"VAT {invoice.get('vat_amount')}  incl. VAT {invoice.get('price_with_vat')}"
        )

    def log(self) -> None:
        entries = self.ok(self.worker.get("/logs", params={"per_page": 8}))["items"]
        say("8. Integration log (newest first):")
        for entry in entries:
            say(f"   [{entry['level']:<7}] {entry['message']}  → {entry['action']}")


def wait_until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise SystemExit(f"Gave up waiting for {what} after {WAIT_SECONDS:.0f} s")


async def new_tenant(database_url: str) -> tuple[int, str]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            name = f"Demo {dt.datetime.now(dt.UTC):%H:%M:%S}"
            tenant, _, key = await create_tenant(session, name)
            await session.commit()
            return tenant.id, key
    finally:
        await engine.dispose()


def main() -> int:
    import asyncio

    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the story, not the services' chatter
    stack = start_stack(data_directory())
    try:
        if stack.sandbox_url is None:
            raise SystemExit("make demo runs against the sandbox: unset ROMPSLOMP_API_URL")
        tenant_id, key = asyncio.run(new_tenant(stack.database_url))
        say(f"Demo tenant {tenant_id} (a fresh one each run).")
        story = Story(stack, key, data_directory())
        company_id = story.activate()
        story.wait_for_import()
        order, archiving = story.work_order()
        story.invoice(company_id, order, archiving)
        story.log()
        # The sandbox forgets everything when it stops: leave no active tenant behind whose
        # tokens the next run's sandbox would refuse.
        story.ok(story.worker.post("/deactivate", json={"confirm": True}))
        say("9. Deactivated the demo tenant again (the sandbox keeps nothing after it stops).")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    raise SystemExit(main())
