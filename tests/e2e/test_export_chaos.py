"""R-EXPORT-6 under chaos on real processes (see export_chaos.py): two sync workers, one
SIGKILLed every few seconds, the sandbox injecting 5xx, 504s, 429s and drop-after-commit;
every archive ends with exactly one concept invoice or as its data says, none twice."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from shared.migrate import upgrade
from tests.e2e.export_chaos import run_chaos
from tests.support.database import admin_execute, in_thread, with_database

pytestmark = pytest.mark.e2e


async def test_every_archive_ends_exactly_once_while_workers_are_killed_and_rompslomp_fails(
    postgres_server_url: str, tmp_path: Path
) -> None:
    name = f"simon_chaos_{uuid.uuid4().hex[:8]}"
    in_thread(admin_execute, postgres_server_url, f"CREATE DATABASE {name}")
    url = with_database(postgres_server_url, name)
    in_thread(upgrade, url)

    result = await run_chaos(
        url,
        tmp_path,
        tenants=4,
        archives=80,
        workers=2,
        kill_every=3.0,
        archive_rate=6.0,
        min_kills=3,
    )

    print(result.line())
    assert result.kills >= 3
    assert result.archived == 80
    assert result.duplicates == 0
    assert result.missing == 0
    assert result.unexpected == 0
    assert result.unsettled == 0
    assert result.statuses == {"sent": 64, "skipped": 8, "failed": 8}
