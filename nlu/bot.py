"""A bot folder: its configuration and its content, loaded and checked as a whole.

Content files are the seed's JSON files (``*.json``) and the Snips text layout
(``intent_<name>.txt``, ``entity_<name>.txt``); the two may be mixed in one folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlu.checks import assemble, check_actions, check_intents
from nlu.config import CONFIG_FILE, BotConfig, load_config
from nlu.dataset import Dataset, hash_files
from nlu.errors import ContentError, Problem
from nlu.formats.parts import ContentPart
from nlu.formats.seed_json import read_intent_file
from nlu.formats.snips_text import read_text_file

CONTENT_SUFFIXES = (".json", ".txt")
TESTS_FOLDER = "tests"


@dataclass(frozen=True)
class Bot:
    """A bot folder, loaded: configuration plus validated dataset."""

    folder: Path
    config: BotConfig
    dataset: Dataset


def is_content_file(folder: Path, path: Path) -> bool:
    """Whether ``path`` (which may no longer exist) is one of the files a bot is trained from.

    Hidden folders (the saved model lives in one) and ``tests/`` (conversation tests) are not
    content: writing a model or a test must not look like an edit of the bot.
    """
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        return False
    if any(part.startswith(".") or part == TESTS_FOLDER for part in parts):
        return False
    return parts == (CONFIG_FILE,) or path.suffix in CONTENT_SUFFIXES


def content_files(folder: Path) -> list[Path]:
    """The files a bot is trained from: the configuration and every intent or entity file."""
    candidates = [*folder.rglob("*"), folder / CONFIG_FILE]
    return sorted({path for path in candidates if path.is_file() and is_content_file(folder, path)})


def load_bot(folder: Path) -> Bot:
    """Load and check a bot folder; raise ContentError listing every problem found."""
    if not folder.is_dir():
        raise ContentError([Problem(file=str(folder), line=0, code="not-a-folder")])
    config = load_config(folder)
    files = content_files(folder)
    sources = [path for path in files if path.suffix in CONTENT_SUFFIXES]
    if not sources:
        raise ContentError([Problem(file=str(folder), line=0, code="no-intent-file")])
    merged = assemble([_read(path, folder) for path in sources])
    problems = merged.problems + check_intents(merged.intents) + check_actions(merged.intents, config.actions)
    if problems:
        raise ContentError(problems)
    dataset = Dataset(
        language=config.language,
        intents=merged.intents,
        entities=merged.entities,
        content_hash=hash_files(files, folder),
    )
    return Bot(folder=folder, config=config, dataset=dataset)


def _read(path: Path, folder: Path) -> ContentPart:
    relative = path.relative_to(folder)
    if path.suffix == ".json":
        return read_intent_file(path, str(relative))
    return read_text_file(path, str(relative), relative)
