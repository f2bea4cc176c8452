"""What one content file says, before the files of a bot folder are put together.

An intent may be spread over two files: its examples in a Snips-style text file, its responses,
context rules and slot questions in a JSON file. Readers return parts; :mod:`nlu.checks.assembly` merges
them into one :class:`~nlu.dataset.Dataset` and checks them as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from causette_sdk.messages import AnyMessage
from nlu.dataset import Entity, SourceRef, Utterance
from nlu.errors import Problem


@dataclass(frozen=True)
class DeclaredSlot:
    """A slot as an intent entry declares it (its entity may come from the annotations)."""

    name: str
    entity: str | None
    required: bool
    prompt: str | None
    quick_replies: list[str]
    source: SourceRef


@dataclass(frozen=True)
class IntentDetails:
    """What a JSON entry adds to an intent besides examples: the dialogue side."""

    responses: list[AnyMessage]
    context_set: str | None
    context_filter: str | None
    quick_replies: list[str]
    slots: list[DeclaredSlot]
    label: str | None = None  # its button in a clarifying question
    action: str | None = None  # the action its answer comes from
    unavailable: list[str] = field(default_factory=list)  # said when the action cannot answer


@dataclass(frozen=True)
class IntentPart:
    """One file's contribution to an intent: examples, details, or both."""

    name: str
    utterances: list[Utterance]
    source: SourceRef
    details: IntentDetails | None = None
    has_patterns: bool = True


@dataclass
class ContentPart:
    """Everything read from one file, and the problems that stopped some of it from loading."""

    intents: list[IntentPart] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
