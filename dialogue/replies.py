"""What an intent answers with: its responses and slot questions, their placeholders read once per
model (when its Brain is built), filled with the conversation's slots at each turn."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dialogue.session import SlotValue
from nlu import Intent
from nlu.templates import Template


@dataclass(frozen=True)
class Replies:
    """An intent's responses and the question of each of its slots, as templates."""

    responses: tuple[Template, ...]
    plain: tuple[Template, ...]  # the responses without placeholders
    prompts: dict[str, Template]  # slot name -> its question

    @classmethod
    def of(cls, intent: Intent) -> Replies:
        """The templates of ``intent``'s responses and prompts."""
        responses = tuple(Template.of(text) for text in intent.responses)
        return cls(
            responses=responses,
            plain=tuple(template for template in responses if not template.names),
            prompts={name: Template.of(spec.prompt or "") for name, spec in intent.slots.items()},
        )

    def response(self, memory: dict[str, SlotValue], rng: random.Random) -> str:
        """A response with its placeholders filled.

        Responses whose placeholders all have values are preferred, then responses without
        placeholders; a placeholder without a value becomes empty rather than an error.
        """
        known = {name for name, value in memory.items() if value.text}
        complete = [template for template in self.responses if template.names <= known]
        return rng.choice(complete or self.plain or self.responses).fill(_texts(memory))

    def prompt(self, slot: str, memory: dict[str, SlotValue]) -> str:
        """The question that asks for ``slot``, its placeholders filled."""
        return self.prompts[slot].fill(_texts(memory))


def _texts(memory: dict[str, SlotValue]) -> dict[str, str]:
    """Slot name -> value in French, for templates."""
    return {name: value.text for name, value in memory.items()}
