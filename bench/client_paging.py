"""Bench: list 20,000 contacts from the sandbox at 50 ms per request with our client.

Floor = pages × latency ÷ allowed concurrency (200 × 50 ms ÷ 8 = 1.25 s by default): what a
perfect client would need. Prints the measured figures as one result line; asserts nothing.

    .venv/bin/python bench/client_paging.py [--concurrency 8] [--contacts 20000]
        [--latency-ms 50] [--runs 3] [--port 0]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _sandbox import free_port, start_sandbox, wait_healthy  # beside this script

from services.sync_worker.rompslomp import RequestBudget, RompslompClient, TokenSet

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 100
CLIENT_ID = "simon-dev"
CLIENT_SECRET = "simon-dev-secret"  # noqa: S105 - the sandbox's public dev client


async def prepare(control: httpx.AsyncClient, contacts: int) -> tuple[int, TokenSet]:
    (await control.post("/_sandbox/reset")).raise_for_status()
    response = await control.post("/_sandbox/companies", json={"name": "Bench B.V."})
    response.raise_for_status()
    company_id = int(response.json()["company"]["id"])
    seeded = await control.post(
        f"/_sandbox/companies/{company_id}/seed",
        json={"contacts": contacts, "products": 0, "seed": 1},
    )
    seeded.raise_for_status()
    minted = await control.post("/_sandbox/tokens", json={})
    minted.raise_for_status()
    body: dict[str, Any] = minted.json()
    tokens = TokenSet(
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        expires_at=datetime.now(UTC) + timedelta(seconds=int(body.get("expires_in", 7200))),
    )
    return company_id, tokens


async def no_store(_: TokenSet) -> None:
    """The bench keeps tokens in memory only."""


async def run(args: argparse.Namespace) -> str:
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_sandbox(port)
    try:
        await wait_healthy(base, process)
        async with httpx.AsyncClient(base_url=base, timeout=60.0) as control:
            company_id, tokens = await prepare(control, args.contacts)
            client = RompslompClient.connect(
                tokens=tokens,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                on_token_rotated=no_store,
                api_url=base,
                budget=RequestBudget(args.concurrency),
            )
            async with client:
                # Warm the connection pool as a long-lived client would be; not measured.
                await asyncio.gather(
                    *(client.probe_total(company_id, "contacts") for _ in range(args.concurrency))
                )
                faults = {"latency_ms": args.latency_ms, "error_rate": 0.0, "timeout_rate": 0.0}
                (await control.put("/_sandbox/faults", json=faults)).raise_for_status()

                walls: list[float] = []
                requests: list[int] = []
                peaks: list[int] = []
                for _ in range(args.runs):
                    (await control.post("/_sandbox/stats/reset")).raise_for_status()
                    started = time.perf_counter()
                    listing = client.iter_contacts(company_id)
                    received = 0
                    async for page in listing:
                        received += len(page.items)
                    walls.append(time.perf_counter() - started)
                    stats = (await control.get("/_sandbox/stats")).json()
                    requests.append(int(stats["requests"]))
                    peaks.append(int(stats["max_concurrency"]))
                    if received != args.contacts or not listing.complete:
                        print(
                            f"warning: received {received} of {args.contacts} contacts "
                            f"(complete={listing.complete})",
                            file=sys.stderr,
                        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    pages = math.ceil(args.contacts / PER_PAGE)
    floor = pages * (args.latency_ms / 1000) / args.concurrency
    wall = statistics.median(walls)
    ratio = wall / floor if floor else math.inf
    best_ratio = min(walls) / floor if floor else math.inf
    return (
        f"client_paging contacts={args.contacts} concurrency={args.concurrency} "
        f"latency_ms={args.latency_ms} runs={args.runs} "
        f"wall_s={wall:.3f} (best {min(walls):.3f}) floor_s={floor:.3f} "
        f"ratio={ratio:.2f}x (best {best_ratio:.2f}x, target <= 1.2x) "
        f"requests={max(requests)} sandbox_max_concurrency={max(peaks)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=int, default=8, help="the tenant's request budget")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="listings timed; median reported")
    parser.add_argument("--port", type=int, default=0, help="sandbox port (0 = a free one)")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
