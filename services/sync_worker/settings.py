"""sync_worker settings (STYLE 6): the Rompslomp connection and the token key."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings

DEV_CLIENT_SECRET = "simon-dev-secret"  # noqa: S105  (the sandbox's dev client, public)
CONSOLE_PATH = "/console/"


class SyncWorkerSettings(ServiceSettings):
    rompslomp_api_url: str = "http://127.0.0.1:8300"
    rompslomp_oauth_url: str | None = None  # unset: the same as rompslomp_api_url
    rompslomp_client_id: str = "simon-dev"
    rompslomp_client_secret: SecretStr = SecretStr(DEV_CLIENT_SECRET)
    rompslomp_redirect_uri: str = "http://127.0.0.1:8100/api/v1/integration/oauth/callback"
    token_encryption_key: SecretStr | None = None  # make run generates one into DATA_DIR
    # Where the OAuth callback sends the browser afterwards (303): by default the office
    # console on this same host, so its sessionStorage login survives the round trip.
    # Empty: the callback answers with a plain page instead.
    ui_return_url: str | None = CONSOLE_PATH
    db_pool_size: int = 5
    # The job worker (procrastinate) and the outbox relay run in this process unless off
    # (RUN_JOBS=false: an API-only replica).
    run_jobs: bool = True
    job_concurrency: int = 10
    # Master-data sync cadence (DESIGN D4): an X-Total probe every few minutes; a full
    # listing (diff + deletions) at most every max(min, pages × per-page) minutes, and at
    # least every `sync_full_max_hours`.
    sync_probe_minutes: float = 5.0
    sync_full_min_minutes: float = 15.0
    sync_full_minutes_per_page: float = 1.0
    sync_full_max_hours: float = 24.0
    # Mass-deletion guard (R-MASTER-4): a run that would remove more than this share of an
    # entity's active Rompslomp rows, or all of them, removes nothing until confirmed.
    sync_deletion_guard_share: float = 0.25
    # A run that keeps failing on Rompslomp's side (429, 5xx, timeouts) is retried later,
    # this many times in all before it fails for good.
    sync_max_attempts: int = 8
    # Integration log entries older than this are removed (daily, in batches).
    log_retention_days: int = Field(default=365, ge=1)
    # Requests to Rompslomp per second per tenant, shared by every replica (a token bucket
    # in PostgreSQL), with bursts of up to `rompslomp_burst`; 0 turns pacing off.
    rompslomp_max_rps: float = Field(default=5.0, ge=0)
    rompslomp_burst: int = Field(default=10, ge=1)
    # Invoice export (DESIGN D3): after an ambiguous POST (timeout, dropped connection, 5xx)
    # the invoice is looked up by api_reference only this long after the answer: the
    # longest Rompslomp may still be working on a request (and committing it).
    export_settle_seconds: float = 60.0
    # The longest one invoice POST may take; a `sending` export belongs to its worker for
    # twice this long (the lease) before another worker settles it.
    export_post_timeout_seconds: float = 30.0

    def unsafe_for_production(self) -> list[str]:
        problems = []
        if self.token_encryption_key is None:
            problems.append(
                "TOKEN_ENCRYPTION_KEY is not set (a Fernet key: Rompslomp tokens are "
                "encrypted with it)"
            )
        secret = self.rompslomp_client_secret.get_secret_value()
        if not secret or secret == DEV_CLIENT_SECRET:
            problems.append(
                "ROMPSLOMP_CLIENT_SECRET is the sandbox's dev secret (set the secret of the "
                "OAuth client registered with Rompslomp)"
            )
        return problems

    @property
    def oauth_url(self) -> str:
        return self.rompslomp_oauth_url or self.rompslomp_api_url


@lru_cache
def get_settings() -> SyncWorkerSettings:
    return SyncWorkerSettings()
