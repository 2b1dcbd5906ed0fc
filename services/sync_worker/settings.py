"""sync_worker settings (STYLE 6)."""

from __future__ import annotations

from functools import lru_cache

from shared.settings import ServiceSettings


class SyncWorkerSettings(ServiceSettings):
    rompslomp_api_url: str = "http://127.0.0.1:8300"
    db_pool_size: int = 5


@lru_cache
def get_settings() -> SyncWorkerSettings:
    return SyncWorkerSettings()
