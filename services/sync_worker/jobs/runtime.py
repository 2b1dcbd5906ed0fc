"""What a running job uses: the process's sessions, its Rompslomp resources and settings.

Set once by the process that runs the worker (`jobs.worker.run`); tasks read it with
`current()`. Tests set their own with `use(...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from services.sync_worker.rompslomp import RetryPolicy
from services.sync_worker.rompslomp.connection import Rompslomp
from services.sync_worker.settings import SyncWorkerSettings
from shared.db import SessionFactory

# Nobody waits on a job: back off longer than an interactive request does. A Retry-After
# (or a tenant pause) beyond 5 s is never slept through in a worker slot: the job goes back
# to the queue scheduled for that moment, and the slot serves other tenants meanwhile.
BACKGROUND_RETRY = RetryPolicy(attempts=5, base_delay=0.5, max_delay=10.0, max_retry_after=5.0)


@dataclass
class Runtime:
    sessions: SessionFactory
    rompslomp: Rompslomp
    settings: SyncWorkerSettings


_current: Runtime | None = None


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no job runtime: the worker sets it before running jobs")
    return _current


def set_runtime(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


@contextmanager
def use(runtime: Runtime) -> Iterator[Runtime]:
    previous = _current
    set_runtime(runtime)
    try:
        yield runtime
    finally:
        set_runtime(previous)
