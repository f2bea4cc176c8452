"""A bot folder: its configuration and its content, loaded and checked as a whole."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nlu.config import CONFIG_FILE, BotConfig, load_config
from nlu.dataset import Dataset, Intent, hash_files
from nlu.errors import ContentError, Problem
from nlu.formats.seed_json import read_intent_file
from nlu.text import tokenize

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
    return parts == (CONFIG_FILE,) or path.suffix == ".json"


def content_files(folder: Path) -> list[Path]:
    """The files a bot is trained from: the configuration and every intent file."""
    candidates = [*folder.rglob("*.json"), folder / CONFIG_FILE]
    return sorted(path for path in candidates if path.is_file() and is_content_file(folder, path))


def load_bot(folder: Path) -> Bot:
    """Load and check a bot folder; raise ContentError listing every problem found."""
    if not folder.is_dir():
        raise ContentError([Problem(str(folder), 0, "not a folder")])
    config = load_config(folder)
    files = content_files(folder)
    intent_files = [path for path in files if path.suffix == ".json"]
    if not intent_files:
        raise ContentError([Problem(str(folder), 0, "no intent file (*.json) in the bot folder")])
    intents: list[Intent] = []
    problems: list[Problem] = []
    for path in intent_files:
        found, file_problems = read_intent_file(path, str(path.relative_to(folder)))
        intents += found
        problems += file_problems
    problems += check_intents(intents)
    if problems:
        raise ContentError(problems)
    dataset = Dataset(language=config.language, intents=intents, content_hash=hash_files(files))
    return Bot(folder=folder, config=config, dataset=dataset)


def check_intents(intents: list[Intent]) -> list[Problem]:
    """Checks across files: duplicate tags, a pattern under two tags, filters nothing sets."""
    return _duplicate_tags(intents) + _shared_patterns(intents) + _orphan_filters(intents)


def _where(intent: Intent) -> tuple[str, int]:
    return (intent.source.file, intent.source.line) if intent.source else ("?", 0)


def _duplicate_tags(intents: list[Intent]) -> list[Problem]:
    first: dict[str, Intent] = {}
    problems = []
    for intent in intents:
        if intent.name in first:
            file, line = _where(first[intent.name])
            problems.append(
                Problem(*_where(intent), f"tag {intent.name!r} is already defined at {file}:{line}",
                        "duplicate-tag")
            )
        else:
            first.setdefault(intent.name, intent)
    return problems


def normal_form(text: str) -> str:
    """A pattern reduced to what the models see: folded words, no punctuation."""
    return " ".join(token.norm for token in tokenize(text))


def _shared_patterns(intents: list[Intent]) -> list[Problem]:
    owners: dict[str, list[tuple[Intent, int]]] = defaultdict(list)
    for intent in intents:
        for utterance in intent.utterances:
            line = utterance.source.line if utterance.source else 0
            owners[normal_form(utterance.text)].append((intent, line))
    problems = []
    for pattern, uses in owners.items():
        tags = sorted({intent.name for intent, _ in uses})
        if len(tags) > 1:
            for intent, line in uses:
                others = ", ".join(t for t in tags if t != intent.name)
                problems.append(Problem(_where(intent)[0], line,
                                        f"pattern {pattern!r} is also under tag {others}", "duplicate-pattern"))
    return problems


def _orphan_filters(intents: list[Intent]) -> list[Problem]:
    set_somewhere = {intent.context_set for intent in intents if intent.context_set}
    return [
        Problem(
            *_where(intent),
            f"context_filter {intent.context_filter!r} is never set by any intent's context_set: "
            "the intent can never answer",
            "unreachable-intent",
        )
        for intent in intents
        if intent.context_filter and intent.context_filter not in set_somewhere
    ]
