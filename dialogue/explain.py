"""Why the bot would answer a message the way it does: words, then contexts.

The explanation covers the intent the bot would answer with (or, when it would fall back, the
model's best guess) and the runner-up: which words pushed each, and for every candidate intent
whether the session's contexts made it eligible. Nothing is changed: no turn is taken.
"""

from __future__ import annotations

from pydantic import BaseModel

from dialogue.brain import Brain
from dialogue.engine import DialogueEngine
from dialogue.rules import live_contexts
from dialogue.session import Session
from nlu.explain import IntentWords, word_pushes


class CandidateCheck(BaseModel):
    """A ranked intent and why the context rules let it answer or not."""

    intent: str
    probability: float
    eligible: bool
    reason: str


class Explanation(BaseModel):
    """The decision for one message, with its reasons."""

    input: str
    intent: str | None
    fallback: bool
    active_contexts: list[str]
    words: list[IntentWords]
    candidates: list[CandidateCheck]


def explain(engine: DialogueEngine, brain: Brain, text: str, session: Session) -> Explanation:
    """Explain the answer ``text`` would get from ``brain`` in ``session`` (which is only read)."""
    parse = brain.model.parse(text)
    decision = engine.decide(brain, session, parse.ranked)
    named = [guess.intent_name for guess in parse.ranked if guess.intent_name]
    first = decision.chosen.intent if decision.chosen else next(iter(named), None)
    runner_up = next((name for name in named if name != first), None)
    return Explanation(
        input=parse.input,
        intent=decision.chosen.intent if decision.chosen else None,
        fallback=decision.chosen is None,
        active_contexts=[c.name for c in live_contexts(session.contexts, engine.clock())],
        words=word_pushes(brain.model, text, [name for name in (first, runner_up) if name]),
        candidates=[CandidateCheck(**vars(candidate)) for candidate in decision.candidates],
    )
