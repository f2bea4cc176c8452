"""Training settings of the snips backend: ``[backend_options]`` in bot.toml.

Kept apart from the backend so that ``causette check`` validates them without importing snips-nlu.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

MAX_SEED = 2**32 - 1  # snips seeds numpy, whose generators take seeds below 2**32


class SnipsOptions(BaseModel):
    """Training settings of the snips backend (``[backend_options]`` in bot.toml)."""

    # Strict: true is not 1, "13" is not 13.
    model_config = ConfigDict(extra="forbid", strict=True)

    seed: int = Field(default=13, ge=0, le=MAX_SEED)
    resources_dir: Path | None = Field(default=None, strict=False)  # None: default_resources_dir(); TOML gives a text
