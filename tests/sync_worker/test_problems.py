"""Rompslomp's failures as problems (sync_worker/problems.py): the one mapping every route
that talks to Rompslomp goes through, table-driven."""

from __future__ import annotations

import pytest

from services.sync_worker.problems import rompslomp_problems
from services.sync_worker.rompslomp import (
    AmbiguousOutcomeError,
    AuthRevokedError,
    FatalError,
    NotConnected,
    NotFoundError,
    RateLimitedError,
    RetriableError,
    RompslompError,
    TokenKeyError,
    TokenPersistError,
)
from shared.problems import DomainError

CASES: list[tuple[RompslompError, int, str, str | None]] = [
    (NotConnected("no pair"), 409, "not_connected", None),
    (AuthRevokedError("refused", status=400, code="invalid_grant"), 409, "needs_reconnect", None),
    (RateLimitedError("429", status=429, retry_after=42.2), 503, "rompslomp_rate_limited", "43"),
    (RateLimitedError("429", status=429, retry_after=0.0), 503, "rompslomp_rate_limited", "1"),
    (RateLimitedError("429 without a header", status=429), 503, "rompslomp_rate_limited", "30"),
    (RetriableError("502", status=502, code="server"), 502, "rompslomp_unavailable", None),
    (AmbiguousOutcomeError("timeout", code="timeout"), 502, "rompslomp_unavailable", None),
    (TokenPersistError("not stored"), 502, "rompslomp_unavailable", None),
    (FatalError("422", status=422, code="client"), 502, "rompslomp_refused", None),
    (NotFoundError("404", status=404, code="client.not_found"), 502, "rompslomp_refused", None),
    (TokenKeyError("unset", code="token_key_missing"), 503, "token_key_missing", None),
    (TokenKeyError("changed", code="token_key_mismatch"), 503, "token_key_mismatch", None),
]


@pytest.mark.parametrize(("error", "status", "code", "retry_after"), CASES)
def test_a_rompslomp_error_leaves_a_route_as_its_problem(
    error: RompslompError, status: int, code: str, retry_after: str | None
) -> None:
    with pytest.raises(DomainError) as raised, rompslomp_problems():
        raise error

    assert (raised.value.status, raised.value.code) == (status, code)
    assert (raised.value.headers or {}).get("Retry-After") == retry_after
    assert raised.value.__cause__ is error


def test_a_refused_request_names_rompslomps_status_and_code() -> None:
    with pytest.raises(DomainError) as raised, rompslomp_problems():
        raise FatalError("422", status=422, code="client.parameters.validation")

    assert raised.value.detail == (
        "Rompslomp refused the request (422, client.parameters.validation)."
    )


def test_other_exceptions_and_problems_pass_through_unchanged() -> None:
    own = DomainError("the route's own problem", code="unknown_product", status=422)
    with pytest.raises(DomainError) as raised, rompslomp_problems():
        raise own
    assert raised.value is own

    with pytest.raises(KeyError), rompslomp_problems():
        raise KeyError("a bug stays a bug (500)")
