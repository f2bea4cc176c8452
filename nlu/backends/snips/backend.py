"""The ``snips`` backend: the real snips-nlu 0.20.2 engine, trained in French.

Select it with ``backend = "snips"`` in bot.toml. It learns from the same Dataset as ``bow``
(converted by :mod:`nlu.backends.snips.dataset`), with snips' French configuration and French
resources generated locally (:mod:`nlu.backends.snips.resources`). A trained engine is saved with
snips' own ``persist`` (JSON, crfsuite files and a copy of the resources: no pickle) and loaded
with ``from_path``; both first apply :mod:`nlu.backends.snips.compat`'s patches, as both need them.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nlu.backends.base import Backend, Progress, no_progress
from nlu.backends.snips import compat
from nlu.backends.snips.dataset import to_snips_dataset
from nlu.backends.snips.options import SnipsOptions
from nlu.backends.snips.resources import build_french_resources
from nlu.dataset import Dataset
from nlu.entities.builtin import is_builtin, phone_number_spans
from nlu.errors import ModelError
from nlu.out_of_scope import OUT_OF_SCOPE_INTENT, out_of_scope_examples, with_out_of_scope_intent
from nlu.parse_result import IntentGuess, ParseResult, Slot

ENGINE_FOLDER = "engine"
STATE_FILE = "snips.json"
# Out-of-scope sentences learnt per example of the bot (see nlu.out_of_scope): on the demo bot's
# development set, off-topic messages that fall back go from 88 % with 1 to 92 % with 2, on-topic
# accuracy unchanged.
OUT_OF_SCOPE_PER_EXAMPLE = 2.0


def default_resources_dir() -> Path:
    """Where generated French resources are cached between trainings (never in the repository:
    they derive from CC BY-SA word lists)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "causette" / "snips-resources-fr"


class SnipsBackend(Backend):
    """snips-nlu's engine behind the Backend interface."""

    name = "snips"
    options_model = SnipsOptions

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.settings = SnipsOptions.model_validate(self.options)
        self.engine: Any = None

    def fit(self, dataset: Dataset, progress: Progress = no_progress) -> None:
        """Train snips' French engine (seeded) on the dataset plus the reserved out-of-scope intent."""
        compat.apply()
        from snips_nlu import SnipsNLUEngine
        from snips_nlu.default_configs import CONFIG_FR
        from snips_nlu.resources import load_resources

        if dataset.language != "fr":
            raise ValueError(f"the snips backend is set up for French only, not {dataset.language!r}")
        progress(0, 2, "resources")
        resources = load_resources(str(build_french_resources(self._resources_dir())))
        progress(1, 2, "training")
        examples = out_of_scope_examples(dataset, self.settings.seed, OUT_OF_SCOPE_PER_EXAMPLE)
        engine = SnipsNLUEngine(config=CONFIG_FR, random_state=self.settings.seed, resources=resources)
        with warnings.catch_warnings():
            # snips gives scikit-learn's vectorizer its own tokenizer on purpose.
            warnings.filterwarnings("ignore", message="The parameter 'token_pattern'", category=UserWarning)
            engine.fit(to_snips_dataset(with_out_of_scope_intent(dataset, examples)))
        self.engine = engine
        progress(2, 2, "training")

    def _resources_dir(self) -> Path:
        return self.settings.resources_dir or default_resources_dir()

    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """snips' ranked intents (``get_intents``) and the best intent's slots (``get_slots``); snips'
        own "none" and the reserved out-of-scope intent give intentName null (and no slots)."""
        ranked = self.engine.get_intents(text)
        guesses = [IntentGuess.model_validate(guess) for guess in ranked]  # snips' own JSON shape
        best = guesses[0]
        others = [g for g in guesses[1:] if g.intent_name not in (None, OUT_OF_SCOPE_INTENT)]
        if best.intent_name in (None, OUT_OF_SCOPE_INTENT):
            return ParseResult(
                input=text, intent=best.model_copy(update={"intent_name": None}), alternatives=others[:top_n]
            )
        slots = self.slots_for_intent(text, best.intent_name)
        return ParseResult(input=text, intent=best, slots=slots, alternatives=others[: top_n - 1])

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        """snips' slots of ``intent`` in ``text``, resolved by snips; its grammar reads a phone number
        as a date or numbers ("le 06 12 34 56 78"), so builtin slots over one are dropped, as the
        bow backend never reads them (nlu.entities.builtin masks phone numbers)."""
        phones = phone_number_spans(text)
        slots = [Slot.model_validate(slot) for slot in self.engine.get_slots(text, intent)]
        return [slot for slot in slots if not (is_builtin(slot.entity) and _overlaps(slot, phones))]

    def save(self, folder: Path) -> None:
        """The engine as snips persists it, under ``engine/``, plus our options."""
        if self.engine is None:
            raise ModelError("the snips backend has not been trained")
        self.engine.persist(folder / ENGINE_FOLDER)
        state = {"options": self.settings.model_dump(mode="json"), "snips_nlu": _snips_version()}
        (folder / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SnipsBackend:
        """Load a persisted engine (with the compatibility patches applied first)."""
        compat.apply()
        from snips_nlu import SnipsNLUEngine
        from snips_nlu.exceptions import SnipsNLUError

        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            backend = cls(state["options"])
            backend.engine = SnipsNLUEngine.from_path(folder / ENGINE_FOLDER)
        except (OSError, ValueError, KeyError, TypeError, ValidationError, SnipsNLUError) as error:
            raise ModelError(f"cannot load the snips model from {folder}: {error}") from error
        return backend


def _snips_version() -> str:
    from importlib.metadata import version

    return version("snips-nlu")


def _overlaps(slot: Slot, spans: list[tuple[int, int]]) -> bool:
    return any(slot.range.start < end and start < slot.range.end for start, end in spans)
