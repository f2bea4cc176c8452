"""A trained model as a saved artifact: backend files plus JSON metadata with checksums."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from nlu.backends import Backend, Progress, get_backend, no_progress
from nlu.bot import Bot
from nlu.entities.opening_hours import OpeningHours, within_opening_hours
from nlu.errors import ModelError
from nlu.out_of_scope import decide
from nlu.parse_result import ParseResult, Slot, empty_result
from nlu.text import clean_input

METADATA_FILE = "causette-model.json"
FORMAT_VERSION = 2  # 2: out-of-scope class learnt, threshold recorded
MAX_PARSE_CHARS = 2000


class ModelInfo(BaseModel):
    """What a saved model is and where it came from."""

    format_version: int = FORMAT_VERSION
    backend: str
    content_hash: str
    trained_at: datetime
    training_seconds: float
    intents: list[str]
    threshold: float = 0.0  # the bot's threshold when trained (bot.toml is part of the content hash)
    opening_hours: OpeningHours | None = None  # the bot's, when trained: parts of the day are read within them
    files: dict[str, str]  # backend file path (relative, POSIX) -> sha256, to refuse tampered files

    def is_current(self, bot: Bot) -> bool:
        """Whether this model was trained on exactly ``bot``'s content, with the backend it names."""
        return self.content_hash == bot.dataset.content_hash and self.backend == bot.config.backend


class Model:
    """A backend that has learned one bot's content."""

    def __init__(self, backend: Backend, info: ModelInfo) -> None:
        self.backend = backend
        self.info = info

    def parse(self, text: str, top_n: int = 5) -> ParseResult:
        """Parse untrusted text (cleaned and bounded first, so any input gets a result) and decide
        as the bot does: out of scope or below the threshold, ``intentName`` is null; a part of the
        day is read within the bot's opening hours."""
        result = decide(parse_untrusted(self.backend, text, top_n), self.info.threshold)
        if self.info.opening_hours is None:
            return result
        return result.model_copy(update={"slots": within_opening_hours(result.slots, self.info.opening_hours)})

    def slots_for_intent(self, text: str, intent: str) -> list[Slot]:
        """The slots of ``intent`` in untrusted ``text``, whatever intent the text is classified as."""
        cleaned = clean(text)
        slots = self.backend.slots_for_intent(cleaned, intent) if cleaned else []
        return within_opening_hours(slots, self.info.opening_hours)

    def save(self, folder: Path) -> None:
        """Write the model to ``folder``, replacing what was there only once all is written."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
        try:
            self.backend.save(staging)
            self.info.files = _hash_tree(staging)
            (staging / METADATA_FILE).write_text(self.info.model_dump_json(indent=2), encoding="utf-8")
            _replace_folder(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> Model:
        """Load a saved model; ModelError when it is missing, tampered with or unknown."""
        info = read_info(folder)
        if info.format_version != FORMAT_VERSION:
            raise ModelError(f"model format {info.format_version} is not supported")
        found = _hash_tree(folder)
        found.pop(METADATA_FILE, None)
        for name, expected in info.files.items():
            if found.get(name) != expected:
                raise ModelError(f"model file {folder / name} is missing or was modified since training")
        if extra := sorted(set(found) - set(info.files)):
            raise ModelError(f"model folder {folder} holds files it was not saved with: {', '.join(extra)}")
        try:
            backend_class = get_backend(info.backend)
        except ValueError as error:
            raise ModelError(str(error)) from error
        return cls(backend_class.load(folder), info)


def clean(text: str) -> str:
    """Untrusted text as every parse reads it (offsets in a parse result refer to it): control
    characters as spaces, broken characters as "?", trimmed, at most MAX_PARSE_CHARS long."""
    return clean_input(text, MAX_PARSE_CHARS)


def parse_untrusted(backend: Backend, text: str, top_n: int = 5) -> ParseResult:
    """Clean, then parse: any input gets a result, an empty one when nothing is left of it."""
    cleaned = clean(text)
    return backend.parse(cleaned, top_n=top_n) if cleaned else empty_result(cleaned)


def train(bot: Bot, progress: Progress = no_progress) -> Model:
    """Train the backend the bot's configuration names on the bot's dataset."""
    backend = get_backend(bot.config.backend)(bot.config.backend_options)
    started = time.perf_counter()
    backend.fit(bot.dataset, progress)
    info = ModelInfo(
        backend=bot.config.backend,
        content_hash=bot.dataset.content_hash,
        trained_at=datetime.now(UTC),
        training_seconds=round(time.perf_counter() - started, 3),
        intents=bot.dataset.intent_names,
        threshold=bot.config.threshold,
        opening_hours=bot.config.opening_hours,
        files={},
    )
    return Model(backend, info)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hash_tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, keyed by its relative POSIX path.

    A backend may save a folder tree (a persisted snips engine is one); every file in it counts.
    """
    return {path.relative_to(folder).as_posix(): _sha256(path) for path in sorted(folder.rglob("*")) if path.is_file()}


def _replace_folder(new: Path, target: Path) -> None:
    """Swap ``new`` into place; a reader never sees a half-written model folder."""
    old = target.with_name(f".old-{target.name}-{time.time_ns()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def read_info(folder: Path) -> ModelInfo:
    """What the model saved in ``folder`` is, read without loading it; ModelError when there is none."""
    try:
        return ModelInfo.model_validate_json((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValidationError and UnicodeDecodeError included
        raise ModelError(f"no usable model in {folder}: {error}") from error


def saved_model_is_current(bot: Bot, folder: Path) -> bool:
    """Whether ``folder`` holds a model trained on exactly ``bot``'s content, read from its
    metadata only (the model is not loaded)."""
    try:
        return read_info(folder).is_current(bot)
    except ModelError:  # no model yet, or an unreadable one
        return False


def default_model_dir(bot_folder: Path) -> Path:
    """Where a bot's trained model is kept unless configured otherwise."""
    return bot_folder / ".causette" / "model"


def load_or_train(bot: Bot, folder: Path, progress: Progress = no_progress) -> Model:
    """The model saved in ``folder`` if it was trained on exactly this content, else a new one.

    A newly trained model is saved to ``folder`` (atomically) before it is returned.
    """
    try:
        model = Model.load(folder)
        if model.info.is_current(bot):
            return model
    except ModelError:
        pass
    model = train(bot, progress)
    model.save(folder)
    return model
