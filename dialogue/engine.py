"""The dialogue engine: one user message in, the bot's turn out."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from dialogue.brain import Brain, BrainHolder
from dialogue.rules import Decision, advance_contexts, choose_intent, live_contexts
from dialogue.session import HistoryEntry, Session
from dialogue.store import SessionStore


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
            decision = self.decide(brain, session, parse.ranked)
            return self._apply(brain, session, decision, parse.input)

    def decide(self, brain: Brain, session: Session, ranked: list) -> Decision:
        """Which intent answers, given the session's live contexts (the session is not changed)."""
        active = {c.name for c in live_contexts(session.contexts, self.clock())}
        return choose_intent(ranked, brain.intents, active, brain.bot.config.threshold)

    def _apply(self, brain: Brain, session: Session, decision: Decision, text: str) -> Turn:
        config, now = brain.bot.config, self.clock()
        intent = brain.intents[decision.chosen.intent] if decision.chosen else None
        pool = intent.responses if intent else config.fallback_responses
        responses = [self.rng.choice(pool)]
        quick_replies = intent.quick_replies if intent else []
        session.contexts = advance_contexts(
            live_contexts(session.contexts, now), intent, config.context_lifespan,
            config.context_ttl_seconds, now,
        )
        session.turns += 1
        session.history.append(HistoryEntry(role="user", text=text, at=now))
        session.history += [
            HistoryEntry(role="bot", text=r, at=now, intent=intent.name if intent else None, quick_replies=quick_replies)
            for r in responses
        ]
        del session.history[: -config.history_limit]
        return Turn(
            session_id=session.id,
            responses=responses,
            intent=intent.name if intent else None,
            probability=decision.chosen.probability if decision.chosen else 0.0,
            fallback=intent is None,
            contexts=session.context_names,
            slots=dict(session.slots),
            quick_replies=quick_replies,
        )

    async def history(self, session_id: str) -> list[HistoryEntry] | None:
        """The session's recent messages, or None when there is no such session."""
        session = await self.store.get(session_id)
        return session.history if session else None
