"""The small interface every NLU backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from nlu.dataset import Dataset
from nlu.parse_result import ParseResult, Slot

# Called with (steps done, total steps, description) while a backend trains.
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, description: str) -> None:
    """A Progress callback that reports nothing."""


class Backend(ABC):
    """Learns intents (and slots) from a Dataset, parses text, saves itself without pickle."""

    name: ClassVar[str]
    # The pydantic model of this backend's ``[backend_options]``, checked by ``causette check``;
    # None: the backend checks its options itself, when it is built.
    options_model: ClassVar[type[BaseModel] | None] = None

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})

    @abstractmethod
    def fit(self, dataset: Dataset, progress: Progress = no_progress) -> None:
        """Train on the dataset (seeded: the same data gives the same model)."""

    @abstractmethod
    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """Understand one (already cleaned) text; ``alternatives`` holds up to top_n - 1 more."""

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        """The slots of ``intent`` in ``text``, whatever intent the text would be classified as.

        The dialogue uses it to read the answer to a slot question ("demain" after "Pour quelle
        date ?"). A backend without a slot filler finds none.
        """
        return []

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the trained state to an existing, empty folder: tensors and JSON only."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path) -> Backend:
        """Read a folder written by save(); raise nlu.errors.ModelError when it is unusable."""
