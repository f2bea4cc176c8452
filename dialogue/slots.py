"""Slot filling: remember slot values, ask for required ones, read the answers, fill templates.

An intent may declare required slots, each with a question. When the chosen intent still misses
one, the bot asks for it and the session records what it is waiting for. The engine reads the
next message as an answer with :func:`answer_by_model` and :func:`answer_by_entity`.
"""

from __future__ import annotations

import random
from typing import Any

from dialogue.brain import Brain
from dialogue.session import SlotRequest
from dialogue.slot_text import slot_text
from nlu import Intent, ParseResult, Slot
from nlu.entities.extractor import to_slot
from nlu.templates import fill, placeholders
from nlu.text import tokenize

# How many times in a row the bot asks for the same slot before it gives up and falls back.
MAX_ASKS = 3


def slot_record(slot: Slot) -> dict[str, Any]:
    """What a session keeps of a slot: the seed's fields plus the value written in French."""
    return {"entity": slot.entity, "rawValue": slot.raw_value, "value": slot.value, "text": slot_text(slot)}


def remember(intent: Intent, slots: list[Slot], memory: dict[str, Any]) -> None:
    """Store the slots that belong to ``intent`` (right name and entity) in the session."""
    for slot in slots:
        spec = intent.slots.get(slot.slot_name)
        if spec is not None and spec.entity == slot.entity:
            memory[slot.slot_name] = slot_record(slot)


def forget_required(intent: Intent, memory: dict[str, Any]) -> None:
    """Drop the values of ``intent``'s required slots: a new request asks for them again."""
    for name in intent.required_slots:
        memory.pop(name, None)


def missing_slot(intent: Intent, memory: dict[str, Any]) -> str | None:
    """The first required slot of ``intent`` the session has no value for."""
    for name in intent.required_slots:
        known = memory.get(name)
        if not known or known.get("entity") != intent.slots[name].entity:
            return name
    return None


def answer_by_model(brain: Brain, request: SlotRequest, parse: ParseResult) -> Slot | None:
    """The requested slot as the model finds it: in the parse when it chose the waiting intent,
    else by reading the message as if it belonged to that intent."""
    entity = brain.intents[request.intent].slots[request.slot].entity
    slots = parse.slots if parse.intent.intent_name == request.intent else []
    found = [s for s in slots if s.slot_name == request.slot and s.entity == entity]
    found = found or [
        s
        for s in brain.model.slots_for_intent(parse.input, request.intent)
        if s.slot_name == request.slot and s.entity == entity
    ]
    return found[0] if found else None


def answer_by_entity(brain: Brain, request: SlotRequest, text: str) -> Slot | None:
    """The first value of the requested slot's entity in ``text`` ("le rose", "demain")."""
    entity = brain.intents[request.intent].slots[request.slot].entity
    matches = brain.extractor.find(text, [entity])
    return to_slot(matches[0], request.slot) if matches else None


def is_bare_value(slot: Slot, text: str) -> bool:
    """Whether ``text`` holds nothing but the slot's value ("rose", "le 14 juillet" and a "!")."""
    rest = text[: slot.range.start] + " " + text[slot.range.end :]
    return not tokenize(rest)


def texts(memory: dict[str, Any]) -> dict[str, str]:
    """Slot name -> value in French, for templates."""
    return {name: record.get("text", "") for name, record in memory.items()}


def pick_response(intent: Intent, memory: dict[str, Any], rng: random.Random) -> str:
    """A response of ``intent`` with its placeholders filled.

    Responses whose placeholders all have values are preferred, then responses without
    placeholders; a placeholder without a value becomes empty rather than an error.
    """
    known = {name for name, record in memory.items() if record.get("text")}
    complete = [r for r in intent.responses if set(placeholders(r)) <= known]
    plain = [r for r in intent.responses if not placeholders(r)]
    return fill(rng.choice(complete or plain or intent.responses), texts(memory))


def prompt(intent: Intent, slot: str, memory: dict[str, Any]) -> str:
    """The question that asks for ``slot``, its placeholders filled."""
    return fill(intent.slots[slot].prompt or "", texts(memory))
