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

When no slot question is pending and the message is ambiguous (its two best intents within
``clarify_margin`` of each other, or its best intent at most ``clarify_band`` below the threshold),
the bot asks which intent was meant, one button per intent (its label); the label of one of them,
clicked or typed as the next message, continues with that intent (Rasa's two-stage fallback).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from causette_sdk.messages import AnyMessage, Message, TextMessage, text_form
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

Reading = Literal[
    "answer_by_model", "answer_by_entity", "new_intent", "continue_waiting", "clarify", "clarified", "fallback"
]
CLARIFY_QUESTION = "Vous voulez parler de : {options} ?"


class TurnPlan(BaseModel):
    """One message's turn, decided but not applied: its reading, its reply, the state after it."""

    model_config = ConfigDict(frozen=True)

    input: str = Field(description="the message as the model read it (cleaned)")
    understood_as: Reading = Field(
        description="an answer to the pending slot question (found by the model or as an entity value), "
        "a new intent, the waiting intent continued, a clarifying question, the answer to one (a button "
        "label), or nothing understood"
    )
    intent: str | None = Field(description="the intent that answers; null when the bot falls back")
    probability: float
    fallback: bool
    candidates: list[Candidate] = Field(description="every ranked intent and why the context rules let it answer")
    clarify: list[str] = Field(default_factory=list, description="the intents a clarifying question offers")
    given: dict[str, SlotValue] = Field(description="the slots this message gives to its intent")
    slots: dict[str, SlotValue] = Field(description="the conversation's slots after the turn")
    awaiting: SlotRequest | None = Field(description="the slot question pending after the turn")
    messages: list[Message] = Field(
        description="the bot's reply: typed messages (text, buttons, image, card, carousel)"
    )
    contexts: list[ActiveContext] = Field(description="the contexts active after the turn")
    action: str | None = Field(
        default=None, description="the action the turn calls (its intent names one and has its required slots)"
    )

    @computed_field(description="the reply as texts, one per message, for clients that show only text")  # type: ignore[prop-decorator]
    @property
    def responses(self) -> list[str]:
        """The reply as texts, one per message."""
        return [text_form(message) for message in self.messages]

    @computed_field(description="the labels offered under the reply's text messages")  # type: ignore[prop-decorator]
    @property
    def quick_replies(self) -> list[str]:
        """The labels offered under the reply's text messages."""
        return quick_replies_of(self.messages)


def quick_replies_of(messages: list[AnyMessage]) -> list[str]:
    """The quick replies of the text messages among ``messages``, in order, each once."""
    return list(dict.fromkeys(r for m in messages if isinstance(m, TextMessage) for r in m.quick_replies))


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
    config = brain.bot.config
    active = live_contexts(session.contexts, now)
    names = {c.name for c in active}
    out_of_scope = parse.intent.intent_name is None
    decision = choose_intent(parse.ranked, brain.intents, names, config.threshold, out_of_scope)
    request = session.awaiting if session.awaiting and _still_asked(brain, session.awaiting) else None
    clarified = _clarified(brain, session, parse.input) if request is None else None
    understood = _understand(brain, request, parse, decision.chosen, clarified)
    if understood.reading in ("new_intent", "fallback") and (offered := _clarify_options(brain, parse, names)):
        return _clarify_plan(brain, parse, offered, decision.candidates, session.slots, active, now)
    memory = _remembered(session.slots, understood)
    intent, message, awaiting = _reply(brain, session.awaiting, understood.intent, memory, rng)
    action = intent.action if intent is not None and awaiting is None else None
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
        messages=[message] if message is not None else [],
        contexts=advance_contexts(active, intent, config.context_lifespan, config.context_ttl_seconds, now),
        action=action,
    )


def _clarify_options(brain: Brain, parse: ParseResult, active: set[str]) -> list[Intent]:
    """The intents to ask between when the parse is ambiguous; none when it is clear, clearly out
    of scope, or clarifying questions are off.

    Ambiguous: the two best intents the context rules allow are within ``clarify_margin`` of each
    other; or the parse found no intent while its best is at most ``clarify_band`` below the
    threshold, or within ``clarify_margin`` of the model's "out of scope".
    """
    config = brain.bot.config
    ranked = parse.ranked
    unsure = parse.intent.intent_name is None
    if not config.clarify or not ranked or parse.intent.probability - ranked[0].probability >= config.clarify_margin:
        return []
    lowest = config.threshold - config.clarify_band
    near = [c for c in choose_intent(ranked, brain.intents, active, lowest).candidates if c.eligible]
    if not near:
        return []
    best, *others = near
    close = [c for c in others if best.probability - c.probability < config.clarify_margin][:1]
    return [brain.intents[c.intent] for c in (best, *close)] if unsure or close else []


def _clarify_plan(
    brain: Brain,
    parse: ParseResult,
    offered: list[Intent],
    candidates: list[Candidate],
    memory: Memory,
    active: list[ActiveContext],
    now: float,
) -> TurnPlan:
    """The clarifying question: no intent answers yet; one button per offered intent."""
    config = brain.bot.config
    labels = [intent.button_label for intent in offered]
    return TurnPlan(
        input=parse.input,
        understood_as="clarify",
        intent=None,
        probability=0.0,
        fallback=True,
        candidates=candidates,
        clarify=[intent.name for intent in offered],
        given={},
        slots=dict(memory),
        awaiting=None,
        messages=[TextMessage(text=CLARIFY_QUESTION.format(options=" · ".join(labels)), quick_replies=labels)],
        contexts=advance_contexts(active, None, config.context_lifespan, config.context_ttl_seconds, now),
    )


def _clarified(brain: Brain, session: Session, text: str) -> Intent | None:
    """The intent whose button label ``text`` is, when the bot's last message was a clarifying
    question offering it (a question with buttons and no intent)."""
    last = session.last_reply
    if last is None or last.intent is not None or not last.quick_replies:
        return None
    key = _label_key(text)
    offered = {_label_key(label) for label in last.quick_replies}
    return next(
        (i for i in brain.intents.values() if _label_key(i.button_label) == key and key in offered),
        None,
    )


def _label_key(text: str) -> str:
    """A label as compared with a typed message: case, spacing and final punctuation aside."""
    return " ".join(text.casefold().split()).strip(" .!?")


def _still_asked(brain: Brain, request: SlotRequest) -> bool:
    """A question from before a content reload may name an intent or slot that is gone."""
    intent = brain.intents.get(request.intent)
    return intent is not None and request.slot in intent.slots


def _understand(
    brain: Brain, request: SlotRequest | None, parse: ParseResult, chosen: Candidate | None, clarified: Intent | None
) -> _Understood:
    """The intent this message starts or continues, and its slots."""
    model_slots = _ModelSlots(brain, parse)
    if clarified is not None:
        return _Understood("clarified", clarified, 1.0, model_slots.of(clarified.name), fresh=True)
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
) -> tuple[Intent | None, AnyMessage | None, SlotRequest | None]:
    """The intent's response, or the question for its first missing slot, or a fallback; and the
    slot question pending afterwards. None for an intent that names an action: the action answers."""
    if intent is not None:
        missing = missing_slot(intent, memory)
        if missing is None and intent.action is not None:
            return intent, None, None
        if missing is None:
            return intent, pick_response(brain.replies[intent.name], memory, rng), None
        asks = asked.asks + 1 if asked is not None and (asked.intent, asked.slot) == (intent.name, missing) else 1
        if asks <= MAX_ASKS:
            question = SlotRequest(intent=intent.name, slot=missing, asks=asks)
            return intent, prompt(brain, intent, missing, memory), question
    return None, TextMessage(text=rng.choice(brain.bot.config.fallback_responses)), None
