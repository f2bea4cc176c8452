"""A turn's plan: how one message is understood in its conversation and what the bot answers.

The plan is computed without changing anything, then the engine applies it to the session; an
explanation shows the same plan without applying it. That way a turn and its explanation cannot
disagree.

While the bot waits for a slot, the message is read as the answer first, by the model ("samedi"
tagged as the booking's date), then as a bare value of the slot's entity ("rose" answers "quelle
couleur ?" although it would also start the colours question). Failing that, a message that starts
another intent starts it; one that starts nothing (or the waiting intent again) is searched for any
value of the slot's entity, and otherwise continues the waiting intent, which asks again (up to
``MAX_ASKS`` times). A new request for an intent gathers its required slots anew: "je voudrais
réserver" twice is two bookings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogue.brain import Brain
from dialogue.rules import Candidate, advance_contexts, choose_intent, live_contexts
from dialogue.session import ActiveContext, Session, SlotRequest, SlotValue
from dialogue.slots import (
    MAX_ASKS,
    Memory,
    answer_by_entity,
    answer_by_model,
    intent_slots,
    is_bare_value,
    missing_slot,
    pick_response,
    prompt,
    without_required,
)
from nlu import Intent, ParseResult, Slot

Reading = Literal["answer_by_model", "answer_by_entity", "new_intent", "continue_waiting", "fallback"]


class TurnPlan(BaseModel):
    """One message's turn, decided but not applied: its reading, its reply, the state after it."""

    model_config = ConfigDict(frozen=True)

    input: str = Field(description="the message as the model read it (cleaned)")
    understood_as: Reading = Field(
        description="an answer to the pending slot question (found by the model or as an entity value), "
        "a new intent, the waiting intent continued, or nothing understood"
    )
    intent: str | None = Field(description="the intent that answers; null when the bot falls back")
    probability: float
    fallback: bool
    candidates: list[Candidate] = Field(description="every ranked intent and why the context rules let it answer")
    given: dict[str, SlotValue] = Field(description="the slots this message gives to its intent")
    slots: dict[str, SlotValue] = Field(description="the conversation's slots after the turn")
    awaiting: SlotRequest | None = Field(description="the slot question pending after the turn")
    responses: list[str]
    quick_replies: list[str]
    contexts: list[ActiveContext] = Field(description="the contexts active after the turn")


@dataclass(frozen=True)
class _Understood:
    """The intent a message starts or continues (None: not understood) and the slots it gives."""

    reading: Reading
    intent: Intent | None
    probability: float
    slots: list[Slot]
    fresh: bool = False  # a new request for the intent, not an answer to its question


@dataclass
class _ModelSlots:
    """The model's slots of an intent in the parsed message, asked for at most once per intent."""

    brain: Brain
    parse: ParseResult
    asked: dict[str, list[Slot]] = field(default_factory=dict)

    def of(self, intent: str) -> list[Slot]:
        # The parse already holds its best intent's slots: the model is not asked again for them.
        if intent == self.parse.intent.intent_name:
            return self.parse.slots
        if intent not in self.asked:
            self.asked[intent] = self.brain.model.slots_for_intent(self.parse.input, intent)
        return self.asked[intent]


def plan_turn(brain: Brain, session: Session, parse: ParseResult, rng: random.Random, now: float) -> TurnPlan:
    """The turn ``parse`` takes in ``session`` at time ``now`` (nothing is changed but ``rng``'s state)."""
    active = live_contexts(session.contexts, now)
    decision = choose_intent(parse.ranked, brain.intents, {c.name for c in active}, brain.bot.config.threshold)
    request = session.awaiting if session.awaiting and _still_asked(brain, session.awaiting) else None
    understood = _understand(brain, request, parse, decision.chosen)
    memory = _remembered(session.slots, understood)
    intent, responses, quick_replies, awaiting = _reply(brain, session.awaiting, understood.intent, memory, rng)
    config = brain.bot.config
    return TurnPlan(
        input=parse.input,
        understood_as=understood.reading,
        intent=intent.name if intent else None,
        probability=understood.probability if intent else 0.0,
        fallback=intent is None,
        candidates=decision.candidates,
        given=intent_slots(understood.intent, understood.slots) if understood.intent else {},
        slots=memory,
        awaiting=awaiting,
        responses=responses,
        quick_replies=quick_replies,
        contexts=advance_contexts(active, intent, config.context_lifespan, config.context_ttl_seconds, now),
    )


def _still_asked(brain: Brain, request: SlotRequest) -> bool:
    """A question from before a content reload may name an intent or slot that is gone."""
    intent = brain.intents.get(request.intent)
    return intent is not None and request.slot in intent.slots


def _understand(brain: Brain, request: SlotRequest | None, parse: ParseResult, chosen: Candidate | None) -> _Understood:
    """The intent this message starts or continues, and its slots."""
    model_slots = _ModelSlots(brain, parse)
    if request is not None:
        waiting = brain.intents[request.intent]
        by_model = answer_by_model(brain, request, model_slots.of(request.intent))
        if by_model is not None:
            return _Understood("answer_by_model", waiting, 1.0, [by_model])
        by_entity = answer_by_entity(brain, request, parse.input)
        # Any value of the slot's entity answers a message that starts nothing else; only a bare one
        # answers a message that also starts another intent.
        starts_nothing_else = chosen is None or chosen.intent == request.intent
        if by_entity is not None and (starts_nothing_else or is_bare_value(by_entity, parse.input)):
            return _Understood("answer_by_entity", waiting, 1.0, [by_entity])
        if chosen is None:
            return _Understood("continue_waiting", waiting, 0.0, [])
        if chosen.intent == request.intent:
            return _Understood("continue_waiting", waiting, chosen.probability, model_slots.of(chosen.intent))
    if chosen is None:
        return _Understood("fallback", None, 0.0, [])
    return _Understood(
        "new_intent", brain.intents[chosen.intent], chosen.probability, model_slots.of(chosen.intent), fresh=True
    )


def _remembered(memory: Memory, understood: _Understood) -> Memory:
    """The conversation's slots once the message's are added; a new request starts its own anew."""
    intent = understood.intent
    if intent is None:
        return dict(memory)
    kept = without_required(intent, memory) if understood.fresh else memory
    return {**kept, **intent_slots(intent, understood.slots)}


def _reply(
    brain: Brain, asked: SlotRequest | None, intent: Intent | None, memory: Memory, rng: random.Random
) -> tuple[Intent | None, list[str], list[str], SlotRequest | None]:
    """The intent's response, or the question for its first missing slot, or a fallback; and the
    slot question pending afterwards."""
    if intent is not None:
        missing = missing_slot(intent, memory)
        if missing is None:
            return intent, [pick_response(intent, memory, rng)], intent.quick_replies, None
        asks = asked.asks + 1 if asked is not None and (asked.intent, asked.slot) == (intent.name, missing) else 1
        if asks <= MAX_ASKS:
            question = SlotRequest(intent=intent.name, slot=missing, asks=asks)
            return intent, [prompt(intent, missing, memory)], intent.slots[missing].quick_replies, question
    return None, [rng.choice(brain.bot.config.fallback_responses)], [], None
