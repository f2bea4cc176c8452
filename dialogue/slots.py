"""Slot filling: remember slot values, ask for required ones, read the answers, fill templates.

An intent may declare required slots, each with a question. When the chosen intent still misses
one, the bot asks for it and the session records what it is waiting for. The next message is read
as an answer with :func:`answer_by_model` and :func:`answer_by_entity`.
"""

from __future__ import annotations

import random

from causette_sdk.messages import AnyMessage
from dialogue.brain import Brain
from dialogue.session import SlotRequest, SlotValue
from dialogue.slot_text import slot_text
from nlu import Intent, Slot
from nlu.entities.extractor import to_slot
from nlu.templates import MessageTemplate
from nlu.text import tokenize

# How many times in a row the bot asks for the same slot before it gives up and falls back.
MAX_ASKS = 3

Memory = dict[str, SlotValue]  # slot name -> the value a conversation remembers


def slot_value(slot: Slot) -> SlotValue:
    """What a session keeps of a slot: the seed's fields plus the value written in French."""
    return SlotValue(entity=slot.entity, raw_value=slot.raw_value, value=slot.value, text=slot_text(slot))


def intent_slots(intent: Intent, slots: list[Slot]) -> Memory:
    """The slots that belong to ``intent`` (right name and entity), as a session keeps them."""
    kept: Memory = {}
    for slot in slots:
        spec = intent.slots.get(slot.slot_name)
        if spec is not None and spec.entity == slot.entity:
            kept[slot.slot_name] = slot_value(slot)
    return kept


def without_required(intent: Intent, memory: Memory) -> Memory:
    """``memory`` without ``intent``'s required slots: a new request asks for them again."""
    return {name: value for name, value in memory.items() if name not in intent.required_slots}


def missing_slot(intent: Intent, memory: Memory) -> str | None:
    """The first required slot of ``intent`` the session has no value for."""
    for name in intent.required_slots:
        known = memory.get(name)
        if known is None or known.entity != intent.slots[name].entity:
            return name
    return None


def answer_by_model(brain: Brain, request: SlotRequest, slots: list[Slot]) -> Slot | None:
    """The requested slot among ``slots``, the model's slots of the waiting intent in the message."""
    entity = brain.intents[request.intent].slots[request.slot].entity
    return next((s for s in slots if s.slot_name == request.slot and s.entity == entity), None)


def answer_by_entity(brain: Brain, request: SlotRequest, text: str) -> Slot | None:
    """The first value of the requested slot's entity in ``text`` ("le rose", "demain")."""
    entity = brain.intents[request.intent].slots[request.slot].entity
    matches = brain.extractor.find(text, [entity])
    return to_slot(matches[0], request.slot) if matches else None


def is_bare_value(slot: Slot, text: str) -> bool:
    """Whether ``text`` holds nothing but the slot's value ("rose", "le 14 juillet" and a "!")."""
    rest = text[: slot.range.start] + " " + text[slot.range.end :]
    return not tokenize(rest)


def texts(memory: Memory) -> dict[str, str]:
    """Slot name -> value in French, for templates."""
    return {name: value.text for name, value in memory.items()}


def pick_response(replies: list[MessageTemplate], memory: Memory, rng: random.Random) -> AnyMessage:
    """One of an intent's prepared responses (``Brain.replies``) with its placeholders filled.

    Responses whose placeholders all have values are preferred, then responses without
    placeholders; a placeholder without a value becomes empty rather than an error.
    """
    known = {name for name, value in memory.items() if value.text}
    complete = [r for r in replies if r.slots <= known]
    plain = [r for r in replies if not r.slots]
    return rng.choice(complete or plain or replies).fill(texts(memory))


def prompt(brain: Brain, intent: Intent, slot: str, memory: Memory) -> AnyMessage:
    """The question that asks for ``slot`` (with its quick replies), its placeholders filled."""
    return brain.prompts[intent.name, slot].fill(texts(memory))
