"""Server settings: one object, read from ``CAUSETTE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dialogue.redis_store import (
    DEFAULT_LOCK_SECONDS, DEFAULT_PREFIX, DEFAULT_TIMEOUT_SECONDS, DEFAULT_WAIT_SECONDS,
)


class Settings(BaseSettings):
    """Everything an operator sets for a Causette server; built by the app factory, passed down."""

    model_config = SettingsConfigDict(env_prefix="CAUSETTE_", extra="ignore")

    bot_dir: Path = Path("intents")
    model_dir: Path | None = Field(default=None, description="default: BOT_DIR/.causette/model")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    redis_url: str | None = Field(
        default=None, description="keep sessions in this Redis (redis://host:port/db), shared by "
        "every process pointing at it; default: in this process's memory")
    redis_prefix: str = Field(default=DEFAULT_PREFIX, min_length=1,
                              description="namespace of the keys, one per bot sharing a Redis")
    redis_timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0,
                                         description="longest wait for Redis before answering 503")
    redis_lock_seconds: float = Field(default=DEFAULT_LOCK_SECONDS, gt=0,
                                      description="longest hold of a session by one turn")
    redis_wait_seconds: float = Field(default=DEFAULT_WAIT_SECONDS, gt=0,
                                      description="longest wait of a turn for its session")
    admin_key: SecretStr | None = Field(default=None, description="required for admin actions")
    max_text_chars: int = Field(default=1000, ge=1, description="longest user message accepted")
    max_body_bytes: int = Field(default=16_384, ge=256, description="largest HTTP request body")
    log_level: str = "info"

    @model_validator(mode="after")
    def _wait_outlasts_lock(self) -> Settings:
        # A lock left by a crashed process expires before a waiting turn gives up: such a lock
        # delays the next turn of its conversation and never refuses it.
        if self.redis_wait_seconds <= self.redis_lock_seconds:
            raise ValueError("redis_wait_seconds must be longer than redis_lock_seconds")
        return self
