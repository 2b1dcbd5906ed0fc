"""Recognising an unreachable database, and logging its outage without a flood (issue 15)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import psycopg
import pytest
from procrastinate import exceptions as procrastinate_exceptions
from sqlalchemy import exc as sa_exc
from structlog.testing import capture_logs

from shared.outage import OutageLog, database_unavailable


def _raised_from(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
        psycopg.OperationalError("connection failed"),
        sa_exc.TimeoutError("QueuePool limit reached"),
    ],
    ids=type,
)
def test_what_means_the_database_is_away(exc: BaseException) -> None:
    assert database_unavailable(exc)


def test_a_wrapped_driver_error_means_the_database_is_away() -> None:
    wrapped = _raised_from(
        sa_exc.DBAPIError("SELECT 1", {}, Exception("adapted")),
        asyncpg.CannotConnectNowError("the database system is starting up"),
    )
    assert isinstance(wrapped, sa_exc.DBAPIError)
    wrapped.orig = None  # only the cause chain is left
    assert database_unavailable(wrapped)
    invalidated = sa_exc.DBAPIError(
        "SELECT 1", {}, Exception("closed"), connection_invalidated=True
    )
    assert database_unavailable(invalidated)
    job_engine = _raised_from(
        procrastinate_exceptions.ConnectorException(), psycopg.OperationalError("refused")
    )
    assert database_unavailable(job_engine)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("a bug"),
        asyncpg.UniqueViolationError("duplicate key"),
        _raised_from(httpx.ConnectError("Rompslomp is away"), ConnectionRefusedError(111, "x")),
        sa_exc.DBAPIError("SELECT 1", {}, Exception("syntax error")),
    ],
    ids=["bug", "unique", "rompslomp", "sql"],
)
def test_what_is_no_database_outage(exc: BaseException) -> None:
    assert not database_unavailable(exc)


async def test_an_outage_is_one_traceback_then_a_count_per_interval_then_its_end() -> None:
    outage = OutageLog("db.unavailable", interval=0.2)
    with capture_logs() as logs:
        outage.failure(ConnectionRefusedError(111, "first"), path="/a")
        for _ in range(5):
            outage.failure(ConnectionRefusedError(111, "again"), path="/b")
        for _ in range(100):  # a generous deadline for a loaded machine
            if not outage.ongoing:
                break
            await asyncio.sleep(0.05)
    outage.close()
    events = [entry["event"] for entry in logs]
    assert events[0] == "db.unavailable"
    assert isinstance(logs[0]["exc_info"], ConnectionRefusedError)
    assert "db.unavailable.ongoing" in events
    assert events[-1] == "db.unavailable.ended"
    assert sum(e.get("failures", 0) for e in logs if e["event"].endswith("ongoing")) == 5
    assert logs[-1]["total"] == 6
    assert all("exc_info" not in entry for entry in logs[1:])
