"""Server settings: one object, read from ``CAUSETTE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from channels.server.api_keys import read_api_keys
from channels.server.origins import check_host_rule, parse_origin_rule
from channels.server.ratelimit import parse_rate_limits
from conversation_log.database import default_url
from dialogue.redis_store import (
    DEFAULT_LOCK_SECONDS,
    DEFAULT_PREFIX,
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_WAIT_SECONDS,
)
from nlu import Bot

LOCAL_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
MIN_ADMIN_KEY_CHARS = 16


class Settings(BaseSettings):
    """Everything an operator sets for a Causette server; built by the app factory, passed down."""

    model_config = SettingsConfigDict(env_prefix="CAUSETTE_", extra="ignore")

    bot_dir: Path = Path("intents")
    model_dir: Path | None = Field(default=None, description="default: BOT_DIR/.causette/model")
    redis_url: str | None = Field(
        default=None,
        description="keep sessions in this Redis (redis://host:port/db), shared by "
        "every process pointing at it; default: in this process's memory",
    )
    redis_prefix: str = Field(
        default=DEFAULT_PREFIX, min_length=1, description="namespace of the keys, one per bot sharing a Redis"
    )
    redis_timeout_seconds: float = Field(
        default=DEFAULT_TIMEOUT_SECONDS, gt=0, description="longest wait for Redis before answering 503"
    )
    redis_lock_seconds: float = Field(
        default=DEFAULT_LOCK_SECONDS, gt=0, description="longest hold of a session by one turn"
    )
    redis_wait_seconds: float = Field(
        default=DEFAULT_WAIT_SECONDS, gt=0, description="longest wait of a turn for its session"
    )
    admin_key: SecretStr | None = Field(
        default=None,
        description=f"required for admin actions and model details, at least {MIN_ADMIN_KEY_CHARS} "
        "characters; unset or empty: admin endpoints are disabled (403)",
    )
    api_keys: str = Field(
        default="",
        description="API keys of server-to-server channels: NAME:SHA256HEX entries, comma-separated "
        "('causette apikey new NAME' prints one); remove an entry to revoke its key",
    )
    api_keys_file: Path | None = Field(default=None, description="more API key entries, one a line")
    max_text_chars: int = Field(default=1000, ge=1, description="longest user message accepted")
    max_body_bytes: int = Field(default=16_384, ge=256, description="largest HTTP request body")
    watch: bool = Field(default=False, description="reload the bot when its content files change")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOCAL_ORIGINS),
        description="web pages allowed to open the WebSocket, besides the server's own host: "
        "comma-separated origins, a port may be '*', '*' alone allows any origin",
    )
    ws_max_frame_bytes: int = Field(default=16_384, ge=256, description="largest WebSocket frame answered")
    ws_max_pending: int = Field(default=8, ge=1, description="messages one WebSocket may queue")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOCAL_HOSTS),
        description="host names this server answers to (the Host header), comma-separated; "
        "'*.example.fr' allows subdomains, '*' any host (no protection against DNS rebinding)",
    )
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["'self'"],
        description="pages that may show this server's pages in a frame (CSP frame-ancestors): "
        "comma-separated sources, \"'none'\" for no page at all",
    )
    api_docs: bool = Field(default=True, description="serve /docs and /openapi.json")
    rate_limits: bool = Field(default=True, description="refuse clients over the limits below (429)")
    rate_limit_per_address: str = Field(
        default="20/second;600/minute",
        description="requests and WebSocket frames from one client address (limits' notation)",
    )
    rate_limit_per_conversation: str = Field(
        default="2/second;60/minute",
        description="turns, reads and WebSocket frames (pings included) of one conversation",
    )
    rate_limit_per_api_key: str = Field(default="50/second;3000/minute", description="requests made with one API key")
    header_timeout_seconds: float = Field(
        default=10, gt=0, description="longest wait for a request's headers (slow clients are cut off)"
    )
    body_timeout_seconds: float = Field(default=10, gt=0, description="longest wait for a request's body (408)")
    max_connections: int = Field(default=1000, ge=1, description="open connections a process serves at once")
    parse_workers: int = Field(default=4, ge=1, description="threads parsing and explaining messages")

    @field_validator("allowed_hosts")
    @classmethod
    def _check_hosts(cls, hosts: list[str]) -> list[str]:
        return [check_host_rule(host) for host in hosts]  # raises ValueError naming the bad entry

    @field_validator("rate_limit_per_address", "rate_limit_per_conversation", "rate_limit_per_api_key")
    @classmethod
    def _check_rate_limits(cls, value: str) -> str:
        parse_rate_limits(value)  # raises ValueError naming the bad entry
        return value

    @model_validator(mode="after")
    def _check_api_keys(self) -> Settings:
        try:
            read_api_keys(self.api_keys, self.api_keys_file)  # raises ValueError naming the bad entry
        except OSError as error:
            raise ValueError(f"cannot read the API keys file: {error}") from None
        return self

    @field_validator("admin_key", mode="before")
    @classmethod
    def _empty_key_disables(cls, value: object) -> object:
        """An empty key (``CAUSETTE_ADMIN_KEY=``) means admin is disabled, not a key anyone can guess."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("admin_key")
    @classmethod
    def _long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(f"the admin key must be at least {MIN_ADMIN_KEY_CHARS} characters long")
        return key

    model_versions_kept: int = Field(
        default=5, ge=1, description="with Redis: published model versions kept for rollback (the current one always)"
    )
    model_max_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1, description="with Redis: largest model (content and files) published"
    )
    model_poll_seconds: float = Field(
        default=2.0, gt=0, description="with Redis: how often a process reads which model is current"
    )
    model_lease_seconds: float = Field(
        default=30.0, gt=0, description="with Redis: the training lease, renewed while one process trains"
    )
    model_cache_dir: Path | None = Field(
        default=None, description="where published models are unpacked; default: BOT_DIR/.causette/published"
    )
    conversation_log: bool = Field(default=True, description="record every turn, masked, in the conversation log")
    database_url: str | None = Field(
        default=None,
        description="the conversation log's database: postgresql://user:password@host/db, or "
        "sqlite:///path; default: a SQLite file, BOT_DIR/.causette/log.sqlite3",
    )
    log_queue_bound: int = Field(
        default=10_000, ge=1, description="events the log buffers while its database is down; more are dropped"
    )
    log_batch_size: int = Field(default=200, ge=1, description="events written to the log per transaction")
    log_batch_wait_seconds: float = Field(
        default=0.25, ge=0, description="how long the log gathers events before a write (fewer, larger transactions)"
    )
    log_retry_seconds: float = Field(
        default=1.0, gt=0, description="wait between tries while the log's database is down"
    )
    log_flush_seconds: float = Field(default=10.0, ge=0, description="longest wait at shutdown to write the buffer")
    log_purge_interval_seconds: float = Field(
        default=3600.0, gt=0, description="how often the retention periods of bot.toml's [privacy] are enforced"
    )

    cookie_secure: bool | None = Field(
        default=None,
        description="send the consoles' session cookie only over https; default: when the page came over https",
    )
    session_idle_minutes: float = Field(default=30, gt=0, description="a console session ends after this long unused")
    session_max_hours: float = Field(default=12, gt=0, description="a console session ends this long after sign-in")
    sign_in_max_failures: int = Field(default=5, ge=1, description="wrong passwords in a row before an account locks")
    sign_in_lockout_minutes: float = Field(default=15, gt=0, description="how long a locked account refuses sign-in")

    def log_database_url(self) -> str:
        """The conversation log's database: ``database_url``, else a SQLite file in the bot's data folder."""
        return self.database_url or default_url(self.bot_dir / ".causette")

    actions_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="where this deployment's action server listens: replaces bot.toml's [actions] url "
        "(per-action URLs still apply)",
    )

    @field_validator("allowed_origins", "allowed_hosts", "frame_ancestors", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        """Comma-separated in the environment (``CAUSETTE_ALLOWED_ORIGINS=https://a.fr,https://b.fr``),
        a list in code."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parse_origin_rule(origin)  # raises ValueError naming the bad entry
        return origins

    @model_validator(mode="after")
    def _wait_outlasts_lock(self) -> Settings:
        # A lock left by a crashed process expires before a waiting turn gives up: such a lock
        # delays the next turn of its conversation and never refuses it.
        if self.redis_wait_seconds <= self.redis_lock_seconds:
            raise ValueError("redis_wait_seconds must be longer than redis_lock_seconds")
        return self

    def check_action_timeout(self, bot: Bot) -> None:
        """Refuse a bot with actions whose action timeout reaches the Redis lock time (ValueError
        saying so); a bot without actions never calls one.

        An action is called inside its turn, while the turn holds its conversation's lock: a call
        allowed to last as long as the lock could outlive it, and two turns would then change one
        conversation at once.
        """
        timeout_seconds = bot.config.actions.timeout_seconds
        uses_actions = any(intent.action for intent in bot.dataset.intents)
        if uses_actions and timeout_seconds >= self.redis_lock_seconds:
            raise ValueError(
                f"bot.toml [actions] timeout_seconds = {timeout_seconds:g} must be shorter than the session "
                f"lock time CAUSETTE_REDIS_LOCK_SECONDS = {self.redis_lock_seconds:g}: lower the timeout, "
                "or raise the lock time (and CAUSETTE_REDIS_WAIT_SECONDS above it)"
            )
