"""Settings shared by every service: one class per service on this base (STYLE 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service needs: where the data lives and how loud to log."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="postgresql:// URL; unset means the embedded PostgreSQL in DATA_DIR.",
    )
    data_dir: Path = Field(default=Path(".data"), description="Where dev data lives.")
    db_connect_timeout: float = Field(
        default=5.0, gt=0, le=5.0, description="Seconds to wait for a database connection."
    )
    db_statement_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a statement may run before it is cancelled."
    )
    log_level: str = "INFO"
    log_json: bool = False
    environment: Literal["development", "production"] = Field(
        default="development",
        description="production: dev defaults for secrets are refused at start.",
    )

    def unsafe_for_production(self) -> list[str]:
        """What must not reach production; each service adds its own secrets."""
        return []

    def refuse_unsafe_production(self, service: str) -> None:
        """Stop the process with a plain message instead of running on dev secrets."""
        problems = self.unsafe_for_production()
        if self.environment == "production" and problems:
            raise SystemExit(
                f"{service} refuses to start with ENVIRONMENT=production: "
                + "; ".join(problems)
                + "."
            )
