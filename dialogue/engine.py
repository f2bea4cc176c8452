"""The dialogue engine: one user message in, the bot's turn out."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from dialogue.brain import Brain, BrainHolder
from dialogue.rules import Decision, advance_contexts, choose_intent, live_contexts
from dialogue.session import HistoryEntry, Session, SlotRequest
from dialogue.slots import (
    MAX_ASKS,
    answer_by_entity,
    answer_by_model,
    forget_required,
    is_bare_value,
    missing_slot,
    pick_response,
    prompt,
    remember,
)
from dialogue.store import SessionStore
from nlu import Intent, ParseResult, Slot


class Turn(BaseModel):
    """The bot's answer to one user message, and the conversation state after it."""

    session_id: str
    responses: list[str]
    intent: str | None
    probability: float
    fallback: bool
    contexts: list[str]
    slots: dict[str, Any] = Field(default_factory=dict)
    quick_replies: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Understood:
    """What a message means in its conversation: the intent it starts or continues (None: not
    understood), how sure the model is, and the slots it gives."""

    intent: Intent | None
    probability: float
    slots: list[Slot]
    fresh: bool = False  # a new request for the intent, not an answer to its question


def _still_asked(brain: Brain, request: SlotRequest) -> bool:
    """A question from before a content reload may name an intent or slot that is gone."""
    intent = brain.intents.get(request.intent)
    return intent is not None and request.slot in intent.slots


class DialogueEngine:
    """Applies the context rules to each parsed message and keeps sessions in a store."""

    def __init__(
        self,
        brains: BrainHolder,
        store: SessionStore,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.brains = brains
        self.store = store
        self.rng = rng or random.Random(brains.current.bot.config.response_seed)
        self.clock = clock

    async def handle(self, session_id: str, text: str) -> Turn:
        """Answer ``text`` in conversation ``session_id``; the session is updated atomically."""
        brain = self.brains.current
        parse = brain.model.parse(text)
        async with self.store.transaction(session_id) as session:
            understood = self.understand(brain, session, parse)
            return self._apply(brain, session, understood, parse.input)

    def decide(self, brain: Brain, session: Session, ranked: list) -> Decision:
        """Which intent answers, given the session's live contexts (the session is not changed)."""
        active = {c.name for c in live_contexts(session.contexts, self.clock())}
        return choose_intent(ranked, brain.intents, active, brain.bot.config.threshold)

    def understand(self, brain: Brain, session: Session, parse: ParseResult) -> Understood:
        """The intent this message starts or continues, and its slots (the session is not changed).

        While the bot waits for a slot, the message is read as the answer first, by the model
        ("samedi" tagged as the booking's date), then as a bare value of the slot's entity ("rose"
        answers "quelle couleur ?" although it would also start the colours question). Failing
        that, a message that starts another
        intent starts it; one that starts nothing (or the waiting intent again) is searched for a
        bare value of the slot's entity, and otherwise continues the waiting intent, which asks
        again (up to ``MAX_ASKS`` times). A new request for an intent gathers its required slots anew: "je voudrais
        réserver" twice is two bookings.
        """
        request = session.awaiting if session.awaiting and _still_asked(brain, session.awaiting) else None
        waiting = brain.intents[request.intent] if request else None
        answer = answer_by_model(brain, request, parse) if request else None
        if answer is None and request:
            bare = answer_by_entity(brain, request, parse.input)
            answer = bare if bare is not None and is_bare_value(bare, parse.input) else None
        if answer is not None:
            return Understood(waiting, 1.0, [answer])
        chosen = self.decide(brain, session, parse.ranked).chosen
        if chosen is None or (request and chosen.intent == request.intent):
            answer = answer_by_entity(brain, request, parse.input) if request else None
            if answer is not None or chosen is None:
                return Understood(waiting, 1.0 if answer else 0.0, [answer] if answer else [])
        same = chosen.intent == parse.intent.intent_name
        slots = parse.slots if same else brain.model.slots_for_intent(parse.input, chosen.intent)
        fresh = request is None or request.intent != chosen.intent
        return Understood(brain.intents[chosen.intent], chosen.probability, slots, fresh)

    def _apply(self, brain: Brain, session: Session, understood: Understood, text: str) -> Turn:
        config, now = brain.bot.config, self.clock()
        if understood.intent is not None:
            if understood.fresh:
                forget_required(understood.intent, session.slots)
            remember(understood.intent, understood.slots, session.slots)
        intent, responses, quick_replies = self._reply(brain, session, understood.intent)
        session.contexts = advance_contexts(
            live_contexts(session.contexts, now),
            intent,
            config.context_lifespan,
            config.context_ttl_seconds,
            now,
        )
        session.turns += 1
        session.history.append(HistoryEntry(role="user", text=text, at=now))
        session.history += [
            HistoryEntry(
                role="bot", text=r, at=now, intent=intent.name if intent else None, quick_replies=quick_replies
            )
            for r in responses
        ]
        del session.history[: -config.history_limit]
        return Turn(
            session_id=session.id,
            responses=responses,
            intent=intent.name if intent else None,
            probability=understood.probability if intent else 0.0,
            fallback=intent is None,
            contexts=session.context_names,
            slots=dict(session.slots),
            quick_replies=quick_replies,
        )

    def _reply(
        self, brain: Brain, session: Session, intent: Intent | None
    ) -> tuple[Intent | None, list[str], list[str]]:
        """The intent's response, or the question for its first missing slot, or a fallback."""
        if intent is None:
            return self._fallback(brain, session)
        missing = missing_slot(intent, session.slots)
        if missing is None:
            session.awaiting = None
            return intent, [pick_response(intent, session.slots, self.rng)], intent.quick_replies
        waiting = session.awaiting
        repeated = waiting is not None and (waiting.intent, waiting.slot) == (intent.name, missing)
        asks = waiting.asks + 1 if repeated else 1
        if asks > MAX_ASKS:
            return self._fallback(brain, session)
        session.awaiting = SlotRequest(intent=intent.name, slot=missing, asks=asks)
        return intent, [prompt(intent, missing, session.slots)], intent.slots[missing].quick_replies

    def _fallback(self, brain: Brain, session: Session) -> tuple[None, list[str], list[str]]:
        session.awaiting = None
        return None, [self.rng.choice(brain.bot.config.fallback_responses)], []

    async def history(self, session_id: str) -> list[HistoryEntry] | None:
        """The session's recent messages, or None when there is no such session."""
        session = await self.store.get(session_id)
        return session.history if session else None
