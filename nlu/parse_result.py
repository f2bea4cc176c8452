"""The parse result every backend returns: the seed's Snips JSON plus ranked alternatives."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _SnipsShape(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)


class IntentGuess(_SnipsShape):
    """An intent and how likely the model finds it."""

    intent_name: str | None = Field(alias="intentName")
    probability: float


class SlotRange(_SnipsShape):
    """Character offsets of a slot in the input, end exclusive."""

    start: int
    end: int


class Slot(_SnipsShape):
    """A slot found in the input, with its resolved value."""

    entity: str
    range: SlotRange
    raw_value: str = Field(alias="rawValue")
    slot_name: str = Field(alias="slotName")
    value: dict[str, Any]


class ParseResult(_SnipsShape):
    """What a backend understood of one input."""

    input: str
    intent: IntentGuess
    slots: list[Slot] = Field(default_factory=list)
    alternatives: list[IntentGuess] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The Snips-shaped JSON (camelCase keys)."""
        return self.model_dump(by_alias=True)

    @property
    def ranked(self) -> list[IntentGuess]:
        """The chosen intent then the alternatives, best first."""
        return [self.intent, *self.alternatives] if self.intent.intent_name else list(self.alternatives)


def empty_result(text: str) -> ParseResult:
    """The result for an input with nothing to understand (empty, only punctuation)."""
    return ParseResult(input=text, intent=IntentGuess(intentName=None, probability=0.0))
