"""The context rules: which intent answers, and how contexts live and die.

- Candidates are the parse's intents at or above the threshold, best first.
- When the parse found no intent (out of scope), only an intent whose ``context_filter`` matches
  an active context may still answer: the conversation explains what the message alone does not.
- An intent with a ``context_filter`` is eligible only while that context is active; among
  eligible candidates, one whose filter matches an active context beats one with no filter.
- Only the chosen intent's ``context_set`` is applied; ``context_set: ""`` clears all contexts.
- A context lives ``lifespan`` user turns and at most ``ttl_seconds``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dialogue.session import ActiveContext
from nlu import Intent, IntentGuess


class Candidate(BaseModel):
    """One ranked intent and why the context rules let it answer or not."""

    model_config = ConfigDict(frozen=True)

    intent: str
    probability: float
    eligible: bool
    reason: str


class Decision(BaseModel):
    """The chosen intent (None: fall back) and every candidate considered."""

    model_config = ConfigDict(frozen=True)

    chosen: Candidate | None
    candidates: list[Candidate] = Field(default_factory=list)


def live_contexts(contexts: list[ActiveContext], now: float) -> list[ActiveContext]:
    """Contexts that still have turns left and have not expired."""
    return [c for c in contexts if c.turns_left > 0 and c.expires_at > now]


def choose_intent(
    ranked: list[IntentGuess],
    intents: dict[str, Intent],
    active: set[str],
    threshold: float,
    out_of_scope: bool = False,
) -> Decision:
    """Apply threshold and context filters to a ranked parse (``out_of_scope``: its intent is null)."""
    candidates = [
        _judge(guess.intent_name, guess.probability, intents[guess.intent_name], active, threshold, out_of_scope)
        for guess in ranked
        if guess.intent_name is not None and guess.intent_name in intents
    ]
    eligible = [c for c in candidates if c.eligible]
    in_context = [c for c in eligible if intents[c.intent].context_filter]
    chosen = next(iter(in_context or eligible), None)
    return Decision(chosen=chosen, candidates=candidates)


def _judge(
    name: str, probability: float, intent: Intent, active: set[str], threshold: float, out_of_scope: bool
) -> Candidate:
    if probability < threshold:
        eligible, reason = False, f"below the threshold {threshold:g}"
    elif intent.context_filter is None and out_of_scope:
        eligible, reason = False, "the parse found no intent: out of scope"
    elif intent.context_filter is None:
        eligible, reason = True, "no context required"
    elif intent.context_filter in active:
        although = ", although the parse found no intent" if out_of_scope else ""
        eligible, reason = True, f"context {intent.context_filter!r} is active{although}"
    else:
        eligible, reason = False, f"needs context {intent.context_filter!r}, not active"
    return Candidate(intent=name, probability=probability, eligible=eligible, reason=reason)


def advance_contexts(
    contexts: list[ActiveContext],
    chosen: Intent | None,
    lifespan: int,
    ttl_seconds: float,
    now: float,
) -> list[ActiveContext]:
    """Contexts after a user turn: one turn older, then the chosen intent's context_set applied."""
    aged = [c.model_copy(update={"turns_left": c.turns_left - 1}) for c in contexts]
    if chosen is not None and chosen.context_set is not None:
        if chosen.context_set == "":
            return []
        aged = [c for c in aged if c.name != chosen.context_set]
        aged.append(ActiveContext(name=chosen.context_set, turns_left=lifespan, expires_at=now + ttl_seconds))
    return live_contexts(aged, now)
