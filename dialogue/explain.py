"""Why the bot would answer a message the way it does: words, then contexts and slots.

The explanation is the plan of the turn the message would take, exactly as the engine plans a
real turn (how the message is understood, every candidate intent with the reason the context rules
give, the slots, the reply), plus which words pushed the answering intent (or, when the bot would
fall back, the model's best guess) and the runner-up. Nothing is changed: no turn is taken, and
no action is called: ``action`` names the action that would answer (the turn's JSON then reports
its duration, outcome and changes).
"""

from __future__ import annotations

from dialogue.brain import Brain
from dialogue.engine import DialogueEngine
from dialogue.plan import TurnPlan
from dialogue.rules import live_contexts
from dialogue.session import Session
from nlu.explain import IntentWords, word_pushes


class Explanation(TurnPlan):
    """The planned turn for one message, with the words and contexts behind it."""

    active_contexts: list[str]
    words: list[IntentWords]


def explain(engine: DialogueEngine, brain: Brain, text: str, session: Session) -> Explanation:
    """Explain the answer ``text`` would get from ``brain`` in ``session`` (which is only read)."""
    parse = brain.model.parse(text)
    plan = engine.preview(brain, session, parse)
    named = [guess.intent_name for guess in parse.ranked if guess.intent_name]
    first = plan.intent or next(iter(named), None)
    runner_up = next((name for name in named if name != first), None)
    return Explanation(
        **dict(plan),
        active_contexts=[c.name for c in live_contexts(session.contexts, engine.clock())],
        words=word_pushes(brain.model, text, [name for name in (first, runner_up) if name]),
    )
