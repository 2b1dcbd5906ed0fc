"""Settings of the Rompslomp sandbox (environment variables with prefix ``SANDBOX_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    client_id: str = "simon-dev"
    client_secret: SecretStr = SecretStr("simon-dev-secret")
    # Comma-separated; kept as a plain string so the environment needs no JSON.
    redirect_uris: str = "http://127.0.0.1:8100/api/v1/integration/oauth/callback"
    auto_approve: bool = False
    token_expires_in: int = 7200
    seed_demo: bool = False

    @property
    def redirect_uri_list(self) -> list[str]:
        return [uri.strip() for uri in self.redirect_uris.split(",") if uri.strip()]


@lru_cache(maxsize=1)
def get_settings() -> SandboxSettings:
    return SandboxSettings()
