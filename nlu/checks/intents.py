"""Errors across the intents of a bot: patterns under two tags, filters nobody sets, placeholders."""

from __future__ import annotations

from collections import defaultdict

from causette_sdk.messages import texts_of
from nlu.config import ActionsConfig
from nlu.dataset import Intent, SourceRef
from nlu.errors import Problem
from nlu.templates import placeholders
from nlu.text import normal_form


def check_intents(intents: list[Intent]) -> list[Problem]:
    """Problems that only show when all intents are known."""
    return _shared_patterns(intents) + _orphan_filters(intents) + _unknown_placeholders(intents)


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
                    Problem.at(source, "duplicate-pattern", "duplicate-pattern", pattern=pattern, others=others)
                )
    return problems


def _orphan_filters(intents: list[Intent]) -> list[Problem]:
    set_somewhere = {intent.context_set for intent in intents if intent.context_set}
    return [
        Problem.at(intent.source, "unreachable-intent", "unreachable-intent", context=intent.context_filter)
        for intent in intents
        if intent.context_filter and intent.context_filter not in set_somewhere
    ]


def _unknown_placeholders(intents: list[Intent]) -> list[Problem]:
    """A {name} in a response or prompt must be one of the intent's slots."""
    problems = []
    for intent in intents:
        texts = [text for response in intent.responses for text in texts_of(response)]
        texts += [spec.prompt for spec in intent.slots.values() if spec.prompt]
        texts += intent.unavailable
        for name in dict.fromkeys(n for text in texts for n in placeholders(text)):
            if name not in intent.slots:
                code = "unknown-slot" if intent.slots else "unknown-slot-none"
                problems.append(
                    Problem.at(
                        intent.source,
                        code,
                        "unknown-slot",
                        name=name,
                        intent=intent.name,
                        slots=", ".join(intent.slots),
                    )
                )
    return problems


def check_actions(intents: list[Intent], actions: ActionsConfig) -> list[Problem]:
    """An intent that names an action needs bot.toml to say where the action lives."""
    return [
        Problem.at(intent.source, "action-without-url", "action-without-url", intent=intent.name, action=intent.action)
        for intent in intents
        if intent.action is not None and actions.url_for(intent.action) is None
    ]
