"""Slot placeholders in responses and prompts: ``"C'est noté pour {date}."``.

A placeholder is a slot name in braces; in a rich message, every text (titles, labels, alt texts,
quick replies) may hold some, links none. Other braces are left as they are, so a response may
still contain ``{`` for other reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from causette_sdk.messages import AnyMessage, map_texts, texts_of

_PLACEHOLDER = re.compile(r"\{([^\W\d][\w-]*)\}")


def placeholders(template: str) -> list[str]:
    """Slot names a template refers to, in order, without repeats."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder by its value; one without a value becomes an empty string."""
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], ""), template)


@dataclass(frozen=True)
class MessageTemplate:
    """A message whose texts may hold placeholders, read once per model so that a turn only fills it."""

    message: AnyMessage
    slots: frozenset[str]  # the slot names its texts refer to

    @classmethod
    def of(cls, message: AnyMessage) -> MessageTemplate:
        """``message`` prepared for filling."""
        return cls(message, frozenset(name for text in texts_of(message) for name in placeholders(text)))

    def fill(self, values: Mapping[str, str]) -> AnyMessage:
        """The message with each placeholder of each text replaced by its value."""
        if not self.slots:
            return self.message
        return map_texts(self.message, lambda text: fill(text, values))
