"""The bot configuration file (``bot.toml``) in a bot folder."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nlu.backends import available_backends
from nlu.entities.opening_hours import OpeningHours
from nlu.errors import ContentError, Location, Problem, validation_problems
from nlu.messages import ParamValue

CONFIG_FILE = "bot.toml"

DEFAULT_FALLBACKS = [
    "Désolé, je n'ai pas compris. Pouvez-vous reformuler ?",
    "Je ne suis pas sûr de comprendre. Pouvez-vous le dire autrement ?",
]


class BotConfig(BaseModel):
    """Settings a content author controls for one bot; the defaults serve the demo."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Causette"
    language: str = Field(default="fr", pattern="^fr$")
    backend: str = "bow"
    threshold: float = Field(default=0.25, ge=0.0, le=1.0)
    context_lifespan: int = Field(default=5, ge=1, description="user turns a context stays active")
    context_ttl_seconds: float = Field(default=900, gt=0)
    session_ttl_seconds: float = Field(default=86400, gt=0)
    history_limit: int = Field(default=200, ge=1)
    fallback_responses: list[str] = Field(default_factory=lambda: list(DEFAULT_FALLBACKS), min_length=1)
    response_seed: int | None = None
    backend_options: dict[str, Any] = Field(default_factory=dict)
    # Clarifying questions (a two-stage fallback): when the two best intents are within
    # clarify_margin of each other, or the best is at most clarify_band below the threshold, the
    # bot asks which one was meant, with each intent's label as a button.
    clarify: bool = True
    clarify_margin: float = Field(default=0.1, ge=0.0, le=1.0)
    clarify_band: float = Field(default=0.1, ge=0.0, le=1.0)
    # When the business is open (per weekday, with its time zone): a part of the day a visitor
    # gives ("demain matin") is read within these hours. None: no opening hours.
    opening_hours: OpeningHours | None = None


def load_config(folder: Path) -> BotConfig:
    """Read ``bot.toml`` from a bot folder, or the defaults when there is none."""
    path = folder / CONFIG_FILE
    if not path.exists():
        return BotConfig()
    text = path.read_text(encoding="utf-8")
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
    if config.backend not in available_backends():
        params: dict[str, ParamValue] = {
            "where": "backend",
            "backend": config.backend,
            "available": ", ".join(available_backends()),
        }
        problem = Problem(
            file=CONFIG_FILE, line=_line_of_key(text, ("backend",)), code="unknown-backend", params=params
        )
        raise ContentError([problem])
    return config


def _line_of_key(text: str, loc: Location) -> int:
    key = str(loc[0]) if loc else ""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1
