"""Settings shared by every service: one class per service on this base (STYLE 6)."""

from __future__ import annotations

from pathlib import Path

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
