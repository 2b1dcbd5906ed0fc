"""`simon tenant create --name NAME` prints one JSON line with a working office key."""

import asyncio
import json
import os
import subprocess
import sys

from shared.auth import authenticate
from shared.reader import SessionReader


async def test_tenant_create_prints_a_working_office_key(database_url, session):
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.simon_api.cli", "tenant", "create", "--name", "CLI BV"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    created = json.loads(result.stdout.strip().splitlines()[-1])
    principal = await authenticate(SessionReader(session), created["api_key"])
    assert principal is not None
    assert (principal.tenant_id, principal.role) == (created["tenant_id"], "office")


def test_tenant_create_refuses_an_empty_name(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "services.simon_api.cli", "tenant", "create", "--name", " "],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--name" in result.stderr
