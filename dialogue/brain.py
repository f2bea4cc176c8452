"""What the engine answers with: a bot's content and its trained model, swapped as one."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue.replies import Replies
from nlu import Bot, Intent, Model
from nlu.entities.extractor import EntityExtractor


@dataclass(frozen=True)
class Brain:
    """A bot's content and the model trained on it; a turn uses one Brain from start to end.

    What a turn would otherwise derive from the content again each time is prepared here, once.
    """

    bot: Bot
    model: Model
    intents: dict[str, Intent] = field(init=False)
    replies: dict[str, Replies] = field(init=False)  # intent name -> its responses and questions
    extractor: EntityExtractor = field(init=False)  # reads answers to slot questions

    def __post_init__(self) -> None:
        dataset = self.bot.dataset
        object.__setattr__(self, "intents", {i.name: i for i in dataset.intents})
        object.__setattr__(self, "replies", {i.name: Replies.of(i) for i in dataset.intents})
        object.__setattr__(self, "extractor", EntityExtractor(dataset.entities, dataset.language))


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
