"""Rompslomp's failures as the problems a person gets (DESIGN D7), in one place.

The connection (rompslomp/) raises `RompslompError`s and knows nothing of HTTP; every route
that talks to Rompslomp (or reads the stored tokens) wraps that in `rompslomp_problems()`,
which answers as follows:

| error                         | status | code                                           |
|-------------------------------|--------|------------------------------------------------|
| `NotConnected`                | 409    | `not_connected`                                |
| `AuthRevokedError`            | 409    | `needs_reconnect` (the connection marked it)   |
| `RateLimitedError`            | 503    | `rompslomp_rate_limited`, with `Retry-After`   |
| other `RetriableError`        | 502    | `rompslomp_unavailable`                        |
| `FatalError`                  | 502    | `rompslomp_refused`                            |
| `TokenKeyError`               | 503    | `token_key_missing` / `_invalid` / `_mismatch` |

Jobs never see these: they decide by the error's class (wait, retry, give up).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from services.sync_worker.rompslomp import (
    AuthRevokedError,
    FatalError,
    NotConnected,
    RateLimitedError,
    RetriableError,
    TokenKeyError,
)
from shared.problems import Conflict, DomainError, documented

THROTTLED = documented(
    503,
    "`rompslomp_rate_limited`: Rompslomp asked to wait; the `Retry-After` header says how "
    "long (seconds)",
)


class RompslompUnavailable(DomainError):
    status = 502
    code = "rompslomp_unavailable"
    title = "Bad Gateway"


class RompslompThrottled(RompslompUnavailable):
    """Rompslomp asked the tenant to wait (429 Retry-After) longer than a caller may hold
    on: a person gets 503 with Retry-After at once."""

    status = 503
    code = "rompslomp_rate_limited"
    title = "Service Unavailable"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1.0, retry_after)
        seconds = str(math.ceil(self.retry_after))
        super().__init__(
            f"Rompslomp asked us to wait {seconds} s before the next request; try again then.",
            headers={"Retry-After": seconds},
        )


class TokenKeyUnusable(DomainError):
    """The service cannot encrypt or decrypt tokens: an operator must fix the configuration."""

    status = 503
    code = "token_key_missing"
    title = "Service Unavailable"


@contextmanager
def rompslomp_problems() -> Iterator[None]:
    """Run the block; a `RompslompError` leaves it as the problem of the table above."""
    try:
        yield
    except NotConnected as exc:
        raise Conflict(
            "Simon is not connected to Rompslomp yet: connect first (POST /connect).",
            code="not_connected",
        ) from exc
    except AuthRevokedError as exc:
        raise Conflict(
            "Rompslomp refused our access (revoked or expired): connect to Rompslomp again.",
            code="needs_reconnect",
        ) from exc
    except RateLimitedError as exc:
        raise RompslompThrottled(exc.pause) from exc
    except RetriableError as exc:
        raise RompslompUnavailable(
            "Rompslomp is not reachable right now; try again in a moment."
        ) from exc
    except FatalError as exc:
        raise RompslompUnavailable(
            f"Rompslomp refused the request ({exc.status}, {exc.code}).",
            code="rompslomp_refused",
        ) from exc
    except TokenKeyError as exc:
        raise TokenKeyUnusable(exc.message, code=exc.code) from exc
