"""Screenshots of every console screen, taken from a running stack, for the README.

Starts the stack as `make run` does, but on free ports and a throw-away DATA_DIR; makes a
tenant active against the sandbox (Rompslomp slowed down while the first import runs, so
its progress shows), archives two work orders (one sent, one that fails for lack of a
customer), and photographs each screen in headless Chromium (the system's; CHROMIUM_PATH
overrides) into docs/console/. Run: `.venv/bin/python scripts/console_screenshots.py`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.demo import Story, new_tenant, wait_until  # noqa: E402
from scripts.stack import data_directory, say, start_stack  # noqa: E402

OUT = ROOT / "docs" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        raise SystemExit("No Chromium: apt-get install chromium, or set CHROMIUM_PATH.")
    return path


def activate_slowly(story: Story) -> int:
    """Wipe, connect and save the settings, with a slow Rompslomp behind the import."""
    story.ok(
        story.worker.post(
            "/wipe",
            json={"tables": [t["table"] for t in story.ok(story.worker.get("/wipe"))["tables"]]},
        )
    )
    consent = story.sandbox.get(story.ok(story.worker.post("/connect"))["authorize_url"])
    story.worker.get(consent.headers["location"])
    company = next(
        a for a in story.ok(story.worker.get("/administrations"))["items"] if a["api_accessible"]
    )
    story.ok(
        story.sandbox.post(
            f"/_sandbox/companies/{company['id']}/seed", json={"contacts": 600, "seed": 7}
        )
    )
    codes = []
    for code, description, price in (
        ("WERK", "Arbeidsloon monteur per uur", "62.50"),
        ("REIS", "Reistijd monteur per uur", "55.00"),
        ("VOORRIJ", "Voorrijkosten", "45.00"),
    ):
        story.ok(
            story.sandbox.post(
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
        codes.append(code)
    story.ok(story.sandbox.put("/_sandbox/faults", json={"latency_ms": 1500}))
    story.ok(
        story.worker.put(
            "/settings",
            json={
                "administration_id": company["id"],
                "work_time_product": codes[0],
                "travel_time_product": codes[1],
                "standard_product": codes[2],
                "description_as_first_line": True,
                "filter_word": "garantie",
                "accept_terms": True,
            },
        )
    )
    return int(company["id"])


def failing_work_order(story: Story) -> dict[str, Any]:
    fitter = story.ok(
        story.simon.post(
            "/employees",
            json={
                "name": "Kees Monteur",
                "email": "kees@screenshots.test",
                "role": "field",
            },
        )
    )
    order = story.ok(
        story.simon.post(
            "/work-orders",
            json={
                "description": "Storing CV-ketel",
                "assignee_id": fitter["id"],
                "planned_date": dt.datetime.now(dt.UTC).date().isoformat(),
            },
        )
    )
    path = f"/work-orders/{order['id']}"
    story.ok(story.simon.post(f"{path}/time-entries", json={"kind": "work", "minutes": 45}))
    story.ok(story.simon.post(f"{path}/complete"))
    return dict(story.ok(story.simon.post(f"{path}/archive")))


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="console-shots-") as data:
        for name in ("SIMON_API_PORT", "SYNC_WORKER_PORT", "SANDBOX_PORT"):
            os.environ[name] = str(free_port())
        os.environ["DATA_DIR"] = data
        os.environ.pop("DATABASE_URL", None)
        stack = start_stack(data_directory())
        try:
            OUT.mkdir(parents=True, exist_ok=True)
            import asyncio

            _, key = asyncio.run(new_tenant(stack.database_url))
            story = Story(stack, key)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="nl-NL")

                def shot(name: str, full: bool = True) -> None:
                    page.wait_for_timeout(300)  # let the notice and focus settle
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
                    say(f"docs/console/{name}.png")

                page.goto(stack.console_url)
                shot("1-inloggen")
                page.get_by_label("API-sleutel").fill(key)
                page.get_by_role("button", name="Inloggen").click()
                page.get_by_role("heading", name="Integratie activeren").wait_for()
                shot("2-activeren")

                activate_slowly(story)
                page.goto(f"{stack.console_url}#/status")
                page.get_by_role("progressbar", name="Klanten").and_(
                    page.locator("[aria-valuemax]")
                ).wait_for(timeout=60_000)
                shot("3-status-voortgang")
                story.ok(story.sandbox.delete("/_sandbox/faults"))
                story.wait_for_import()
                page.reload()
                page.get_by_text("ACTIEF", exact=True).wait_for()
                page.get_by_role("button", name="Nu synchroniseren").click()
                shot("4-nu-synchroniseren", full=False)
                page.keyboard.press("Escape")

                order, _ = story.work_order()
                failed = failing_work_order(story)
                wait_until(
                    lambda: (
                        len(
                            [
                                e
                                for e in story.ok(story.worker.get("/exports"))["items"]
                                if e["status"] in ("sent", "failed")
                            ]
                        )
                        == 2
                        or None
                    ),
                    "two exports to settle",
                )
                page.get_by_role("link", name="Facturen").click()
                page.get_by_role("row", name=failed["number"]).wait_for()
                shot("5-facturen")
                page.get_by_role("row", name=failed["number"]).get_by_role(
                    "button", name="Voorbeeld factuur"
                ).click()
                page.get_by_role("dialog").get_by_role("table").wait_for()
                shot("6-voorbeeld-factuur", full=False)
                page.keyboard.press("Escape")

                page.get_by_role("link", name="Logboek").click()
                page.locator("table.log tbody tr").first.wait_for()
                shot("7-logboek")
                page.get_by_role("link", name="Instellingen").click()
                page.get_by_role("table", name="Geschiedenis").wait_for()
                shot("8-instellingen")

                page.set_viewport_size({"width": 360, "height": 740})
                page.get_by_role("link", name="Status").click()
                page.get_by_text("ACTIEF", exact=True).wait_for()
                shot("9-status-360px")
                say(f"work order {order['number']} sent, {failed['number']} failed")
                browser.close()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
