"""An action within a turn: the signed request built from the planned turn, the response applied
to it, or the intent's ``unavailable`` answer when the call fails.

The call happens inside the turn's session transaction (the conversation is locked meanwhile),
after the plan and before it is applied: the turn stored is the plan with the action's changes,
or, on any fault, the plan with the unavailable answer. Either way the session stays consistent.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Literal

from pydantic import BaseModel, Field

from causette_sdk.messages import TextMessage
from causette_sdk.protocol import (
    ActionRequest,
    ActionResponse,
    ContextInfo,
    HistoryTurn,
    IntentInfo,
    SlotInfo,
    SlotScalar,
)
from dialogue.actions.faults import ActionFault, FaultKind
from dialogue.actions.runner import ActionRunner
from dialogue.brain import Brain
from dialogue.plan import TurnPlan
from dialogue.session import ActiveContext, HistoryEntry, Session, SlotRequest, SlotValue
from dialogue.slots import Memory, pick_response, prompt
from nlu import Intent

DEFAULT_UNAVAILABLE = (
    "Désolé, je ne peux pas vous répondre sur ce point pour le moment. Pouvez-vous réessayer dans quelques instants ?"
)

log = logging.getLogger("causette.actions")


class ActionChanges(BaseModel):
    """What an action changed in the conversation."""

    slots_set: list[str] = Field(default_factory=list)
    slots_cleared: list[str] = Field(default_factory=list)
    contexts_set: list[str] = Field(default_factory=list)
    contexts_cleared: list[str] = Field(default_factory=list)
    asked: str | None = Field(default=None, description="the slot the action asked for next")


class ActionReport(BaseModel):
    """Which action a turn ran, how long it took, how it ended and what it changed."""

    name: str
    duration_ms: float
    outcome: Literal["ok"] | FaultKind = Field(description='"ok", or the fault that gave the unavailable answer')
    reason: str | None = Field(default=None, description="what went wrong, when the outcome is a fault")
    changes: ActionChanges = Field(default_factory=ActionChanges)


class ActionCall(BaseModel):
    """Where a turn's message comes from: what the request tells the action server besides the plan."""

    conversation_id: str
    text: str
    channel: str
    recent: list[HistoryEntry] = Field(default_factory=list, description="the conversation's last messages")


async def run_action(
    runner: ActionRunner,
    brain: Brain,
    session: Session,
    plan: TurnPlan,
    call: ActionCall,
    rng: random.Random,
    now: float,
) -> tuple[TurnPlan, ActionReport]:
    """The plan once its action answered (or failed), and the report of the call."""
    assert plan.action is not None and plan.intent is not None  # the plan names an action only for an intent
    intent = brain.intents[plan.intent]
    request = action_request(brain, session, plan, call)
    started = time.perf_counter()
    try:
        response = await runner.call(brain.bot.config.actions, request)
        applied, changes = apply_response(brain, intent, plan, response, rng, now)
    except ActionFault as fault:
        elapsed = _milliseconds(started)
        log.warning("action %s failed after %.0f ms: %s (%s)", plan.action, elapsed, fault.kind, fault.reason)
        report = ActionReport(name=plan.action, duration_ms=elapsed, outcome=fault.kind, reason=fault.reason)
        return unavailable(intent, plan, rng), report
    return applied, ActionReport(name=plan.action, duration_ms=_milliseconds(started), outcome="ok", changes=changes)


def action_request(brain: Brain, session: Session, plan: TurnPlan, call: ActionCall) -> ActionRequest:
    """The request for the plan's action: the message, its intent, the slots and contexts after it."""
    assert plan.action is not None and plan.intent is not None
    return ActionRequest(
        bot=brain.bot.config.name,
        action=plan.action,
        conversation_id=call.conversation_id,
        channel=call.channel,
        text=call.text,
        intent=IntentInfo(name=plan.intent, probability=min(max(plan.probability, 0.0), 1.0)),
        slots={name: SlotInfo.model_validate(value.model_dump()) for name, value in plan.slots.items()},
        contexts=[ContextInfo(name=c.name, turns_left=c.turns_left) for c in plan.contexts],
        history=[HistoryTurn(role=entry.role, text=entry.text, intent=entry.intent) for entry in call.recent],
    )


def apply_response(
    brain: Brain, intent: Intent, plan: TurnPlan, response: ActionResponse, rng: random.Random, now: float
) -> tuple[TurnPlan, ActionChanges]:
    """The plan with the action's messages, slots, contexts and next question (ActionFault when the
    response asks for what the intent does not have, or leaves the bot nothing to say)."""
    memory = _slots_after(intent, plan.slots, response)
    contexts = _contexts_after(brain, plan.contexts, response, now)
    messages = list(response.messages)
    awaiting = None
    if response.ask_slot is not None:
        awaiting = _ask(intent, response.ask_slot, bool(messages))
        memory.pop(response.ask_slot, None)
        if not messages:  # without messages of its own, the action asks with the slot's question
            messages = [prompt(brain, intent, response.ask_slot, memory)]
    if not messages:
        if not intent.responses:
            raise ActionFault(
                "invalid_response", f"no messages, and intent {intent.name!r} has no responses of its own"
            )
        messages = [pick_response(brain.replies[intent.name], memory, rng)]
    changes = ActionChanges(
        slots_set=list(response.set_slots),
        slots_cleared=list(response.clear_slots),
        contexts_set=[change.name for change in response.set_contexts],
        contexts_cleared=list(response.clear_contexts),
        asked=response.ask_slot,
    )
    return plan.model_copy(
        update={"messages": messages, "slots": memory, "contexts": contexts, "awaiting": awaiting}
    ), changes


def _ask(intent: Intent, slot: str, has_messages: bool) -> SlotRequest:
    """The question the action asks next: a slot of the intent, with a prompt unless the action asks."""
    spec = intent.slots.get(slot)
    if spec is None or not (spec.prompt or has_messages):
        raise ActionFault("invalid_response", f"ask_slot {slot!r} is not a slot of {intent.name!r} with a prompt")
    return SlotRequest(intent=intent.name, slot=slot)


def unavailable(intent: Intent, plan: TurnPlan, rng: random.Random) -> TurnPlan:
    """The plan answered with the intent's ``unavailable`` response (or a French default)."""
    text = rng.choice(intent.unavailable) if intent.unavailable else DEFAULT_UNAVAILABLE
    return plan.model_copy(update={"messages": [TextMessage(text=text)], "awaiting": None})


def _slots_after(intent: Intent, slots: Memory, response: ActionResponse) -> Memory:
    memory = {name: value for name, value in slots.items() if name not in response.clear_slots}
    for name, value in response.set_slots.items():
        spec = intent.slots.get(name)
        memory[name] = _slot_value(spec.entity if spec else "action", value)
    return memory


def _slot_value(entity: str, value: SlotScalar) -> SlotValue:
    """A value set by an action, kept like one the visitor gave."""
    text = ("oui" if value else "non") if isinstance(value, bool) else str(value)
    kind = "Number" if isinstance(value, int | float) and not isinstance(value, bool) else "Custom"
    return SlotValue(entity=entity, raw_value=text, value={"kind": kind, "value": value}, text=text)


def _contexts_after(
    brain: Brain, contexts: list[ActiveContext], response: ActionResponse, now: float
) -> list[ActiveContext]:
    config = brain.bot.config
    changed = set(response.clear_contexts) | {change.name for change in response.set_contexts}
    kept = [context for context in contexts if context.name not in changed]
    return kept + [
        ActiveContext(
            name=change.name,
            turns_left=change.lifespan or config.context_lifespan,
            expires_at=now + config.context_ttl_seconds,
        )
        for change in response.set_contexts
    ]


def _milliseconds(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
