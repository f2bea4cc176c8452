"""Checks across the intents of a bot: patterns under two tags, filters nobody sets, templates."""

from __future__ import annotations

from collections import defaultdict

from nlu.dataset import Intent, SourceRef
from nlu.errors import Problem
from nlu.templates import placeholders
from nlu.text import tokenize


def check_intents(intents: list[Intent]) -> list[Problem]:
    """Problems that only show when all intents are known."""
    return _shared_patterns(intents) + _orphan_filters(intents) + _unknown_placeholders(intents)


def normal_form(text: str) -> str:
    """A pattern reduced to what the models see: folded words, no punctuation."""
    return " ".join(token.norm for token in tokenize(text))


def _where(source: SourceRef | None) -> tuple[str, int]:
    return (source.file, source.line) if source else ("?", 0)


def _shared_patterns(intents: list[Intent]) -> list[Problem]:
    owners: dict[str, list[tuple[Intent, SourceRef | None]]] = defaultdict(list)
    for intent in intents:
        for utterance in intent.utterances:
            owners[normal_form(utterance.text)].append((intent, utterance.source or intent.source))
    problems = []
    for pattern, uses in owners.items():
        tags = sorted({intent.name for intent, _ in uses})
        if len(tags) > 1:
            for intent, source in uses:
                others = ", ".join(t for t in tags if t != intent.name)
                problems.append(
                    Problem(*_where(source), f"pattern {pattern!r} is also under tag {others}", "duplicate-pattern")
                )
    return problems


def _orphan_filters(intents: list[Intent]) -> list[Problem]:
    set_somewhere = {intent.context_set for intent in intents if intent.context_set}
    return [
        Problem(
            *_where(intent.source),
            f"context_filter {intent.context_filter!r} is never set by any intent's context_set",
            "unreachable-intent",
        )
        for intent in intents
        if intent.context_filter and intent.context_filter not in set_somewhere
    ]


def _unknown_placeholders(intents: list[Intent]) -> list[Problem]:
    """A {name} in a response or prompt must be one of the intent's slots."""
    problems = []
    for intent in intents:
        texts = intent.responses + [spec.prompt for spec in intent.slots.values() if spec.prompt]
        for name in dict.fromkeys(n for text in texts for n in placeholders(text)):
            if name not in intent.slots:
                known = ", ".join(intent.slots) or "none"
                problems.append(
                    Problem(
                        *_where(intent.source),
                        (
                            f"{{{name}}} in a response of intent {intent.name!r} is not one of its slots "
                            f"(slots: {known})"
                        ),
                        "unknown-slot",
                    )
                )
    return problems
