"""sync_worker settings (STYLE 6): the Rompslomp connection and the token key."""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr

from shared.settings import ServiceSettings


class SyncWorkerSettings(ServiceSettings):
    rompslomp_api_url: str = "http://127.0.0.1:8300"
    rompslomp_oauth_url: str | None = None  # unset: the same as rompslomp_api_url
    rompslomp_client_id: str = "simon-dev"
    rompslomp_client_secret: SecretStr = SecretStr("simon-dev-secret")
    rompslomp_redirect_uri: str = "http://127.0.0.1:8100/api/v1/integration/oauth/callback"
    token_encryption_key: SecretStr | None = None  # make run generates one into DATA_DIR
    ui_return_url: str | None = None
    db_pool_size: int = 5
    # The job worker (procrastinate) and the outbox relay run in this process unless off
    # (RUN_JOBS=false: an API-only replica).
    run_jobs: bool = True
    job_concurrency: int = 10

    @property
    def oauth_url(self) -> str:
        return self.rompslomp_oauth_url or self.rompslomp_api_url


@lru_cache
def get_settings() -> SyncWorkerSettings:
    return SyncWorkerSettings()
