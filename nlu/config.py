"""The bot configuration file (``bot.toml``) in a bot folder.

Every setting is checked when the folder is loaded (``causette check``), with the line it is on:
its type (strictly: ``true`` is not ``1.0``, ``"5"`` is not ``5``), its bounds, the spelling of its
key, and the ``[backend_options]`` against the model the chosen backend declares.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from causette_sdk.messages import Text, has_visible_text
from nlu.backends import available_backends, backend_options_model
from nlu.entities.opening_hours import OpeningHours
from nlu.errors import ContentError, Location, Problem, validation_problems
from nlu.formats.reading import nesting_problem, read_content_text
from nlu.messages import ParamValue

CONFIG_FILE = "bot.toml"

DEFAULT_FALLBACKS = [
    "Désolé, je n'ai pas compris. Pouvez-vous reformuler ?",
    "Je ne suis pas sûr de comprendre. Pouvez-vous le dire autrement ?",
]
YEAR_SECONDS = 366 * 86400


class PrivacyConfig(BaseModel):
    """The conversation log's rules for this bot (``[privacy]`` in ``bot.toml``)."""

    model_config = ConfigDict(extra="forbid")

    texts_days: float = Field(default=30, gt=0, description="days a turn's texts are kept (message, parse, reply)")
    records_days: float = Field(default=396, gt=0, description="days the rows analytics count are kept (13 months)")
    mask_patterns: dict[str, str] = Field(
        default_factory=dict, description="name -> regular expression: each match is stored as <NAME>"
    )

    @field_validator("mask_patterns")
    @classmethod
    def _compile(cls, patterns: dict[str, str]) -> dict[str, str]:
        for name, pattern in patterns.items():
            if not re.fullmatch(r"\w+", name):
                raise ValueError(f"nom de motif invalide « {name} » : lettres, chiffres et _ seulement")
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"expression régulière invalide pour « {name} » : {error}") from None
        return patterns


class ActionsConfig(BaseModel):
    """``[actions]``: where the bot's actions live and how long it waits for them."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl | None = Field(default=None, description="where action requests are POSTed")
    urls: dict[str, AnyHttpUrl] = Field(default_factory=dict, description="action name -> its own URL")
    secret_env: str = Field(
        default="CAUSETTE_ACTIONS_SECRET",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="the environment variable holding the secret shared with the action server",
    )
    timeout_seconds: float = Field(default=3.0, gt=0, le=60, description="longest wait for an action, retry included")
    history_turns: int = Field(default=6, ge=0, le=50, description="recent messages sent with each request")
    breaker_failures: int = Field(default=5, ge=1, description="consecutive failures that open an endpoint's breaker")
    breaker_pause_seconds: float = Field(default=30.0, gt=0, description="how long an open breaker stays open")

    def url_for(self, action: str) -> str | None:
        """The URL to POST ``action``'s requests to, if any is configured."""
        url = self.urls.get(action) or self.url
        return str(url) if url is not None else None


class BotConfig(BaseModel):
    """Settings a content author controls for one bot; the defaults serve the demo."""

    # Strict: a TOML boolean is not a number, a text is not a number (an integer is a float).
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    name: str = Field(default="Causette", min_length=1, max_length=100)
    language: str = Field(default="fr", pattern="^fr$")
    backend: str = "bow"
    threshold: float = Field(default=0.25, ge=0.0, le=1.0)
    context_lifespan: int = Field(default=5, ge=1, le=1000, description="user turns a context stays active")
    context_ttl_seconds: float = Field(default=900, gt=0, le=YEAR_SECONDS)
    session_ttl_seconds: float = Field(default=86400, gt=0, le=YEAR_SECONDS)
    history_limit: int = Field(default=200, ge=1, le=10_000)
    fallback_responses: list[Text] = Field(default_factory=lambda: list(DEFAULT_FALLBACKS), min_length=1)
    response_seed: int | None = None
    backend_options: dict[str, Any] = Field(default_factory=dict)
    # Clarifying questions (a two-stage fallback): when the two best intents are within
    # clarify_margin of each other, or the best is at most clarify_band below the threshold, the
    # bot asks which one was meant, with each intent's label as a button.
    clarify: bool = True
    clarify_margin: float = Field(default=0.1, ge=0.0, le=1.0)
    clarify_band: float = Field(default=0.1, ge=0.0, le=1.0)
    actions: ActionsConfig = Field(default_factory=ActionsConfig)
    # When the business is open (per weekday, with its time zone): a part of the day a visitor
    # gives ("demain matin") is read within these hours. None: no opening hours.
    opening_hours: OpeningHours | None = None
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)

    @field_validator("name")
    @classmethod
    def _name_shows(cls, name: str) -> str:
        if not has_visible_text(name):
            raise PydanticCustomError("blank-tag", "must not be blank")
        return name


def load_config(folder: Path) -> BotConfig:
    """Read ``bot.toml`` from a bot folder, or the defaults when there is none."""
    path = folder / CONFIG_FILE
    if not path.exists():
        return BotConfig()
    text = read_content_text(path, CONFIG_FILE)
    if too_deep := nesting_problem(text, CONFIG_FILE, "toml"):
        raise ContentError([too_deep])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = int(match[1]) if (match := re.search(r"line (\d+)", str(error))) else 1
        raise ContentError(
            [Problem(file=CONFIG_FILE, line=line, code="invalid-toml", params={"error": str(error)})]
        ) from None
    try:
        config = BotConfig.model_validate(raw)
    except ValidationError as error:
        raise ContentError(
            validation_problems(error, CONFIG_FILE, lambda loc: _line_of_key(text, loc), BotConfig)
        ) from None
    if problems := _backend_problems(config, text):
        raise ContentError(problems)
    return config


def _backend_problems(config: BotConfig, text: str) -> list[Problem]:
    """An unknown backend, or ``[backend_options]`` that its options model refuses."""
    if config.backend not in available_backends():
        params: dict[str, ParamValue] = {
            "where": "backend",
            "backend": config.backend,
            "available": ", ".join(available_backends()),
        }
        line = _line_of_key(text, ("backend",))
        return [Problem(file=CONFIG_FILE, line=line, code="unknown-backend", params=params)]
    model: type[BaseModel] | None = backend_options_model(config.backend)
    if model is None:
        return []
    try:
        model.model_validate(config.backend_options)
    except ValidationError as error:
        where = ("backend_options",)
        return validation_problems(error, CONFIG_FILE, lambda loc: _line_of_key(text, loc), model, prefix=where)
    return []


# A table header ([a.b] or [[a.b]]) and a key (a, a.b, "a b") before "=".
_TABLE = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _line_of_key(text: str, loc: Location) -> int:
    """The line that sets the value at ``loc``, else the closest one around it (its table, the key
    holding it as an inline table or a list), else 1."""
    wanted = []
    for part in loc:
        if not isinstance(part, str):
            break  # a list index: the key holding the list is the place
        wanted.append(part)
    best, best_length = 1, 0
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            table = _dotted(header[1])
            path = table
        elif key := _KEY.match(line):
            path = table + _dotted(key[1])
        else:
            continue
        if best_length < len(path) <= len(wanted) and wanted[: len(path)] == path:
            best, best_length = number, len(path)
    return best


def _dotted(key: str) -> list[str]:
    """The parts of a dotted TOML key, unquoted (a dot inside quotes is rare enough to ignore)."""
    return [part.strip().strip("\"'") for part in key.split(".")]
