"""What the engine answers with: a bot's content and its trained model, swapped as one."""

from __future__ import annotations

from dataclasses import dataclass, field

from causette_sdk.messages import AnyMessage, TextMessage
from nlu import Bot, Intent, Model
from nlu.entities.extractor import EntityExtractor
from nlu.templates import MessageTemplate


@dataclass(frozen=True)
class Brain:
    """A bot's content and the model trained on it; a turn uses one Brain from start to end."""

    bot: Bot
    model: Model
    intents: dict[str, Intent] = field(init=False)
    extractor: EntityExtractor = field(init=False)  # reads answers to slot questions
    replies: dict[str, list[MessageTemplate]] = field(init=False)  # intent -> its responses, ready to fill
    prompts: dict[tuple[str, str], MessageTemplate] = field(init=False)  # (intent, slot) -> its question

    def __post_init__(self) -> None:
        dataset = self.bot.dataset
        object.__setattr__(self, "intents", {i.name: i for i in dataset.intents})
        object.__setattr__(
            self, "extractor", EntityExtractor(dataset.entities, dataset.language, self.bot.config.opening_hours)
        )
        # Templates are read once per model, not at every turn.
        replies = {
            i.name: [MessageTemplate.of(_with_quick_replies(r, i.quick_replies)) for r in i.responses]
            for i in dataset.intents
        }
        prompts = {
            (intent.name, name): MessageTemplate.of(TextMessage(text=spec.prompt, quick_replies=spec.quick_replies))
            for intent in dataset.intents
            for name, spec in intent.slots.items()
            if spec.prompt  # an optional slot's question too: an action may ask for it (ask_slot)
        }
        object.__setattr__(self, "replies", replies)
        object.__setattr__(self, "prompts", prompts)


def _with_quick_replies(message: AnyMessage, offered: list[str]) -> AnyMessage:
    """A text response with its intent's quick replies first (intent files allow them only with texts)."""
    if not offered or not isinstance(message, TextMessage):
        return message
    merged = list(dict.fromkeys([*offered, *message.quick_replies]))
    return message.model_copy(update={"quick_replies": merged})


class BrainHolder:
    """The Brain currently serving. Swapping replaces one reference, so no turn sees a mix."""

    def __init__(self, brain: Brain) -> None:
        self._brain = brain

    @property
    def current(self) -> Brain:
        """The Brain to use for a new turn."""
        return self._brain

    def swap(self, brain: Brain) -> None:
        """Serve ``brain`` from the next turn on; turns in progress finish with the old one."""
        self._brain = brain
