"""Playing conversation tests through the dialogue engine and comparing what the bot did."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from causette_sdk.protocol import ActionResponse
from dialogue.actions import ActionFault, ActionRunner, ScriptedActionRunner
from dialogue.brain import Brain, BrainHolder
from dialogue.conversation_tests.spec import ConversationCase, ResponseRule, TurnCase
from dialogue.engine import DialogueEngine, Turn
from dialogue.store import MemoryStore


@dataclass(frozen=True)
class Mismatch:
    """One thing the bot did otherwise than expected."""

    what: str  # intent, response, contexts or slots
    expected: str
    got: str
    hint: str = ""


@dataclass(frozen=True)
class TurnOutcome:
    """A played turn: what the bot answered and every mismatch."""

    case: TurnCase
    turn: Turn
    mismatches: list[Mismatch]


@dataclass
class ConversationOutcome:
    """A played conversation. It stops at its first failing turn: later turns build on it."""

    case: ConversationCase
    turns: list[TurnOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failure(self) -> TurnOutcome | None:
        """The turn that failed, if any."""
        return next((outcome for outcome in self.turns if outcome.mismatches), None)

    @property
    def passed(self) -> bool:
        """Whether every turn did what was expected."""
        return self.failure is None

    @property
    def not_run(self) -> int:
        """Turns left unplayed after the failure."""
        return len(self.case.turns) - len(self.turns)


async def run_conversations(
    brain: Brain, cases: list[ConversationCase], live_actions: ActionRunner | None = None
) -> list[ConversationOutcome]:
    """Play each conversation in a new session against ``brain``.

    Actions answer what each turn's ``action_result`` declares, unless ``live_actions`` is given:
    then they are really called through it (``causette test --live-actions``).
    """
    return [await _play(brain, case, live_actions) for case in cases]


async def _play(brain: Brain, case: ConversationCase, live_actions: ActionRunner | None) -> ConversationOutcome:
    # A fresh engine per conversation, its random responses seeded by the conversation's name:
    # a test gives the same answers whatever runs before it, and from one run to the next.
    store = MemoryStore(brain.bot.config.session_ttl_seconds)
    scripted = ScriptedActionRunner()
    rng = random.Random(f"{case.file}:{case.name}")
    engine = DialogueEngine(BrainHolder(brain), store, rng=rng, actions=live_actions or scripted)
    outcome = ConversationOutcome(case)
    started = time.perf_counter()
    for turn_case in case.turns:
        scripted.expect(_scripted_result(turn_case.expect.action_result))
        turn = await engine.handle("conversation-test", turn_case.expect.user, channel="test")
        outcome.turns.append(TurnOutcome(turn_case, turn, compare(brain, turn_case, turn)))
        if outcome.turns[-1].mismatches:
            break
    outcome.seconds = time.perf_counter() - started
    return outcome


def _scripted_result(declared: ActionResponse | Literal["unavailable"] | None) -> ActionResponse | ActionFault | None:
    """What a test's ``action_result`` makes the turn's action return."""
    if declared == "unavailable":
        return ActionFault("unreachable", "the test declares the action unavailable")
    return declared


def compare(brain: Brain, case: TurnCase, turn: Turn) -> list[Mismatch]:
    """Every way ``turn`` differs from what ``case`` expects."""
    expect = case.expect
    answered = "fallback" if turn.fallback else f"{turn.intent} ({turn.probability:.0%})"
    mismatches = _action_mismatches(case, turn)
    if expect.intent is not None and turn.intent != expect.intent:
        mismatches.append(Mismatch("intent", expect.intent, answered))
    if expect.fallback and not turn.fallback:
        mismatches.append(Mismatch("intent", "fallback", answered))
    if expect.response is not None and not any(_matches(brain, expect.response, r) for r in turn.responses):
        mismatches.append(_response_mismatch(brain, expect.response, turn))
    if expect.contexts is not None and sorted(turn.contexts) != sorted(expect.contexts):
        mismatches.append(Mismatch("contexts", _names(expect.contexts), _names(turn.contexts)))
    for name, value in (expect.slots or {}).items():
        kept = turn.slots[name].model_dump() if name in turn.slots else None
        if kept is None or not _slot_matches(value, kept):
            mismatches.append(Mismatch(f"slot {name}", repr(value), repr(kept or "(none)")))
    return mismatches


def _matches(brain: Brain, rule: ResponseRule, response: str) -> bool:
    if rule.exact is not None:
        return response == rule.exact
    if rule.pattern is not None:
        return re.search(rule.pattern, response) is not None
    return response in _one_of(brain, rule)


def _one_of(brain: Brain, rule: ResponseRule) -> list[str]:
    """The texts a ``one_of`` allows: listed, or all the responses of the intent it names."""
    return brain.intents[rule.one_of].response_texts if isinstance(rule.one_of, str) else list(rule.one_of or [])


def _response_mismatch(brain: Brain, rule: ResponseRule, turn: Turn) -> Mismatch:
    got = " / ".join(repr(r) for r in turn.responses)
    if rule.exact is not None:
        intent = brain.intents.get(turn.intent) if turn.intent else None
        choices = intent.response_texts if intent else brain.bot.config.fallback_responses
        hint = (
            (
                f"the bot picks one of {len(choices)} responses at random: expect "
                "{one_of: " + (turn.intent or "[...]") + "} to accept any of them"
            )
            if rule.exact in choices
            else ""
        )
        return Mismatch("response", repr(rule.exact), got, hint)
    if rule.pattern is not None:
        return Mismatch("response", f"a text matching /{rule.pattern}/", got)
    if isinstance(rule.one_of, str):
        return Mismatch("response", f"one of the responses of {rule.one_of!r}", got)
    return Mismatch("response", "one of " + " / ".join(repr(text) for text in rule.one_of or []), got)


def _slot_matches(expected: Any, got: Any) -> bool:
    """An expected slot value matches the value kept, or any form of a Snips-shaped slot:
    as typed (``rawValue``), resolved (``value``, itself possibly ``{"value": ...}``) or written
    out (``text``)."""
    if expected == got:
        return True
    if isinstance(got, dict):
        return any(_slot_matches(expected, got[key]) for key in ("value", "rawValue", "text") if key in got)
    return False


def _names(names: list[str]) -> str:
    return ", ".join(sorted(names)) or "(none)"


def _action_mismatches(case: TurnCase, turn: Turn) -> list[Mismatch]:
    """The action the turn ran against the one expected, and an action_result nothing used."""
    expect, ran = case.expect, turn.action
    name = ran.name if ran else "(none)"
    mismatches = []
    if expect.action is not None and name != expect.action:
        mismatches.append(Mismatch("action", expect.action, name))
    if ran is not None and ran.outcome == "no_result":
        hint = f"declare what {ran.name!r} returns with action_result: (or action_result: unavailable)"
        mismatches.append(Mismatch("action", f"an action_result for {ran.name!r}", "none declared", hint))
    elif ran is None and expect.action_result is not None:
        mismatches.append(Mismatch("action", "a call using the declared action_result", "no action called"))
    return mismatches
