"""Whether the console's browser tests can run here: Playwright (a dev dependency) and a
Chromium from the system (Debian's `chromium`; CHROMIUM_PATH overrides). Nothing is
downloaded: `playwright install` is never needed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def find_chromium() -> str | None:
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        return given if Path(given).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_skipped() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the console's browser tests are SKIPPED: Playwright is not installed (make install)"
    if find_chromium() is None:
        return (
            "the console's browser tests are SKIPPED: no Chromium found "
            "(apt-get install chromium, or set CHROMIUM_PATH)"
        )
    return None


def report_line() -> str:
    return why_skipped() or f"console browser tests: Chromium at {find_chromium()}"
