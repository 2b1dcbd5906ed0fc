"""Browser tests of the office console in headless Chromium (Playwright's Python API, driving
Debian's `chromium`; no browser is downloaded).

One stack for the whole session on its own database: the Rompslomp sandbox (consent page on,
the demo administrations seeded), simon_api and sync_worker with its job worker, all real
processes on 127.0.0.1; the console is opened on the OAuth callback's host, as in
production. One browser for the session, a fresh context (so a fresh sessionStorage) per
test. A failing test saves a screenshot under `.pytest-artifacts/console/` and prints its
path. Without a Chromium the tests are skipped and the session header says so
(tests/conftest.py prints it: pytest reads report headers from the root conftest only).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from shared.migrate import upgrade
from tests.console.browser import find_chromium, why_skipped
from tests.console.world import Stack
from tests.support.database import admin_execute, in_thread, with_database
from tests.support.processes import free_port, start_service, stop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".pytest-artifacts" / "console"
# Headless, and quiet on a machine without internet (no update, sync or QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = why_skipped()
    if reason is None:
        return
    for item in items:
        if "tests/console/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def console_stack(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    name = f"simon_console_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)
    logs = tmp_path_factory.mktemp("console-logs")
    worker_port, sandbox_port = free_port(), free_port()
    worker = f"http://127.0.0.1:{worker_port}"
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    callback = f"{worker}/api/v1/integration/oauth/callback"
    processes = []
    try:
        process, _ = start_service(
            "services.rompslomp_sandbox.app:create_app",
            {"SANDBOX_SEED_DEMO": "true", "SANDBOX_REDIRECT_URIS": callback},
            port=sandbox_port,
            output=logs / "sandbox.log",
        )
        processes.append(process)
        process, api = start_service(
            "services.simon_api.main:create_app", {"DATABASE_URL": url}, output=logs / "api.log"
        )
        processes.append(process)
        process, _ = start_service(
            "services.sync_worker.main:create_app",
            {
                "DATABASE_URL": url,
                "ROMPSLOMP_API_URL": sandbox,
                "ROMPSLOMP_OAUTH_URL": sandbox,
                "ROMPSLOMP_REDIRECT_URI": callback,
                "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "JOB_CONCURRENCY": "4",
            },
            port=worker_port,
            output=logs / "worker.log",
            log_level="info",
        )
        processes.append(process)
        yield Stack(database_url=url, worker=worker, sandbox=sandbox, simon_api=api)
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=find_chromium(), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A new context per test: its own sessionStorage, Dutch, in Dutch time."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(20_000)
    # Assertions wait as long as actions may: CI runs the suite on 2 shared cores, and the
    # console waits on the API, which waits on Rompslomp (the sandbox).
    from playwright.async_api import expect

    expect.set_options(timeout=20_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = request.node.stash.get(REPORTS, {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"console screenshot of the failure: {path}")
    await context.close()
    assert not errors, f"JavaScript errors in the console: {errors}"
