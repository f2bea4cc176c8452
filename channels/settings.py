"""Server settings: one object, read from ``CAUSETTE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator sets for a Causette server; built by the app factory, passed down."""

    model_config = SettingsConfigDict(env_prefix="CAUSETTE_", extra="ignore")

    bot_dir: Path = Path("intents")
    model_dir: Path | None = Field(default=None, description="default: BOT_DIR/.causette/model")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    redis_url: str | None = None
    admin_key: SecretStr | None = Field(default=None, description="required for admin actions")
    max_text_chars: int = Field(default=1000, ge=1, description="longest user message accepted")
    max_body_bytes: int = Field(default=16_384, ge=256, description="largest HTTP request body")
    log_level: str = "info"
    watch: bool = Field(default=False, description="reload the bot when its content files change")
