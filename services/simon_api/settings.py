"""simon_api settings (STYLE 6): built by a cached `get_settings()`, never at import."""

from __future__ import annotations

from functools import lru_cache

from shared.settings import ServiceSettings


class SimonApiSettings(ServiceSettings):
    db_pool_size: int = 10


@lru_cache
def get_settings() -> SimonApiSettings:
    return SimonApiSettings()
