"""Issue 15's proof: PostgreSQL restarted, then stopped for 30 s, while 200 work orders are
archived at 5 per second. Every archive becomes exactly one concept invoice, the first
within 10 s of PostgreSQL being back; /ready answers 503 while it is away; simon_api logs
the outage without a traceback per request.

Marked `survival` (about three minutes for both cases): `make test` leaves it out and
`.ci/run` runs it as its own step (`pytest -m survival`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.database_outage import OutageResult, run_case, table
from tests.e2e.external_postgres import ExternalPostgres

pytestmark = [pytest.mark.e2e, pytest.mark.survival]


@pytest.fixture(scope="module")
def postgres() -> Iterator[ExternalPostgres]:
    server = ExternalPostgres()
    yield server
    server.close()


def _check(result: OutageResult) -> None:
    print("\n" + table([result]))  # shown with -s, and in the report of a failure
    assert result.archived == result.archives
    assert result.missing == 0
    assert result.duplicates == 0
    assert result.first_invoice_after is not None
    assert result.first_invoice_after <= 10.0, result.row()
    # One error (with its traceback) per outage, then counts: not one per request.
    assert result.errors_logged.get("simon_api", 0) <= 2, result.row()
    assert result.unhandled == {"simon_api": 0, "sync_worker": 0}, result.row()


async def test_a_restart_of_postgresql_loses_and_doubles_no_invoice(
    postgres: ExternalPostgres, tmp_path: Path
) -> None:
    result = await run_case(postgres, tmp_path, case="restart", down_for=None)
    _check(result)


async def test_thirty_seconds_without_postgresql_loses_and_doubles_no_invoice(
    postgres: ExternalPostgres, tmp_path: Path
) -> None:
    result = await run_case(postgres, tmp_path, case="down 30 s", down_for=30.0)
    _check(result)
    assert result.ready_503.get("simon_api", 0) > 0
    assert result.ready_503.get("sync_worker", 0) > 0
    assert result.failed > 0  # the outage was felt, and every call got its archive in the end
