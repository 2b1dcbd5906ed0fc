"""Jobs of this package, registered on the job engine's app (see jobs/app.py)."""

from __future__ import annotations

from services.sync_worker.jobs.app import app  # noqa: F401
