"""Slot placeholders in responses and prompts: ``"C'est noté pour {date}."``.

A placeholder is a slot name in braces. Other braces are left as they are, so a response may
still contain ``{`` for other reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{([^\W\d][\w-]*)\}")


def placeholders(template: str) -> list[str]:
    """Slot names a template refers to, in order, without repeats."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder by its value; one without a value becomes an empty string."""
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], ""), template)


@dataclass(frozen=True, slots=True)
class Template:
    """A response or prompt with its placeholders read once, when the content is loaded: a turn
    only checks them against the slots it knows, and fills the template if it has any."""

    text: str
    names: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Template:
        """``text`` with its placeholders found."""
        return cls(text, frozenset(placeholders(text)))

    def fill(self, values: Mapping[str, str]) -> str:
        """The text, each placeholder replaced by its value (empty when it has none)."""
        return fill(self.text, values) if self.names else self.text
