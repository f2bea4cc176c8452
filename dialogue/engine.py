"""The dialogue engine: one user message in, the bot's turn out."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import anyio
from pydantic import BaseModel, Field, computed_field

from causette_sdk.messages import Message, TextMessage, text_form
from dialogue.actions import ActionCall, ActionReport, ActionRunner, NoActionRunner, run_action
from dialogue.brain import Brain, BrainHolder
from dialogue.plan import TurnPlan, plan_turn, quick_replies_of
from dialogue.recording import TOP_ALTERNATIVES, ActionCallEvent, TurnEvent, TurnRecorder
from dialogue.session import HistoryEntry, LastReply, Session, SlotValue
from dialogue.store import MemoryStore, SessionStore
from nlu import Bot, Model, ParseResult


class Turn(BaseModel):
    """The bot's answer to one user message, and the conversation state after it."""

    session_id: str
    messages: list[Message] = Field(description="the reply: typed messages (text, buttons, image, card, carousel)")
    intent: str | None
    probability: float
    fallback: bool
    contexts: list[str]
    slots: dict[str, SlotValue] = Field(default_factory=dict)
    action: ActionReport | None = Field(default=None, description="the action the turn ran, if any")

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented way to serve a property
    @property
    def responses(self) -> list[str]:
        """The reply as texts, one per message, for clients that show only text."""
        return [text_form(message) for message in self.messages]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quick_replies(self) -> list[str]:
        """The labels offered under the reply's text messages."""
        return quick_replies_of(self.messages)


class DialogueEngine:
    """Plans each parsed message's turn with the context and slot rules, and applies it to the
    session in its store."""

    def __init__(
        self,
        brains: BrainHolder,
        store: SessionStore,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        parse_threads: anyio.CapacityLimiter | None = None,
        recorder: TurnRecorder | None = None,
        actions: ActionRunner | None = None,
    ) -> None:
        self.brains = brains
        # Parsing is CPU work: it runs in these threads, never on the event loop, so one long
        # message does not stall every other conversation of the process.
        self.parse_threads = parse_threads or anyio.CapacityLimiter(1)
        self.store = store
        self.actions: ActionRunner = actions or NoActionRunner()
        self.rng = rng or random.Random(brains.current.bot.config.response_seed)
        self.clock = clock
        self.recorder = recorder

    @classmethod
    def in_memory(cls, bot: Bot, model: Model, actions: ActionRunner | None = None) -> DialogueEngine:
        """An engine for ``bot`` answering with ``model``, its sessions in this process's memory
        (a terminal chat, a benchmark)."""
        brains = BrainHolder(Brain(bot=bot, model=model))
        return cls(brains, MemoryStore(bot.config.session_ttl_seconds), actions=actions)

    async def handle(
        self,
        session_id: str,
        text: str,
        channel: str = "rest",
        *,
        message_id: str | None = None,
        guard: Callable[[Session], None] | None = None,
    ) -> Turn:
        """Answer ``text`` in conversation ``session_id``; the session is updated atomically.

        ``channel`` names the way the message came in (rest, websocket, terminal) for the log. An
        action the turn calls runs inside the session's transaction, before the turn is applied:
        its changes, or the unavailable answer when it fails, are part of the turn.

        ``guard`` runs first inside the transaction and may refuse the session by raising (the
        session is left as it was). A ``message_id`` already answered in this session gets its
        recorded turn again, and nothing is applied twice (nor logged twice); a new one is
        recorded with the turn.
        """
        started = time.perf_counter()
        brain = self.brains.current
        parse = await anyio.to_thread.run_sync(brain.model.parse, text, limiter=self.parse_threads)
        async with self.store.transaction(session_id) as session:
            if guard is not None:
                guard(session)
            if message_id is not None and (recorded := session.recorded_turn(message_id)) is not None:
                return Turn.model_validate_json(recorded)
            now = self.clock()
            plan = plan_turn(brain, session, parse, self.rng, now)
            report = None
            if plan.action is not None:
                turns = brain.bot.config.actions.history_turns
                recent = await self.store.history(session.id, last=turns) if turns else []
                call = ActionCall(conversation_id=session.id, text=text, channel=channel, recent=recent or [])
                plan, report = await run_action(self.actions, brain, session, plan, call, self.rng, now)
            _apply(session, plan, now, brain.bot.config.history_limit, message_id)
            turn = Turn(
                session_id=session.id,
                messages=plan.messages,
                intent=plan.intent,
                probability=plan.probability,
                fallback=plan.fallback,
                contexts=session.context_names,
                slots=plan.slots,
                action=report,
            )
            if message_id is not None:
                session.record_turn(message_id, turn.model_dump_json())
            turn_number = session.turns
        if self.recorder is not None:  # after the session is saved: only turns that happened are logged
            self.recorder.record(_event(brain, turn, parse, text, channel, now, turn_number, started))
            if report is not None:
                self.recorder.record(_action_event(brain, turn.session_id, report, now))
        return turn

    def preview(self, brain: Brain, session: Session, parse: ParseResult) -> TurnPlan:
        """The turn ``parse`` would take in ``session`` now, as :meth:`handle` would plan it.

        Nothing changes: not the session, and not the engine's random responses, which are drawn
        from a copy, so the preview's reply is the one the next turn sends if no other turn of this
        engine comes between.
        """
        rng = random.Random()
        rng.setstate(self.rng.getstate())
        return plan_turn(brain, session, parse, rng, self.clock())

    async def history(self, session_id: str) -> list[HistoryEntry] | None:
        """The session's recent messages, or None when there is no such session."""
        return await self.store.history(session_id)


def _event(
    brain: Brain, turn: Turn, parse: ParseResult, text: str, channel: str, at: float, turn_number: int, started: float
) -> TurnEvent:
    """The log's view of an applied turn."""
    parsed = parse.to_json()
    parsed["alternatives"] = parsed["alternatives"][:TOP_ALTERNATIVES]
    return TurnEvent(
        at=at,
        bot=brain.bot.config.name,
        session_id=turn.session_id,
        channel=channel,
        turn_number=turn_number,
        text=text,
        parse=parsed,
        intent=turn.intent,
        probability=turn.probability,
        fallback=turn.fallback,
        reply=turn.model_dump(mode="json", exclude={"session_id"}),
        model_hash=brain.model.info.content_hash,
        latency_ms=(time.perf_counter() - started) * 1000,
    )


def _action_event(brain: Brain, session_id: str, report: ActionReport, at: float) -> ActionCallEvent:
    """The log's view of the action a turn called."""
    return ActionCallEvent(
        at=at,
        bot=brain.bot.config.name,
        session_id=session_id,
        name=report.name,
        duration_ms=report.duration_ms,
        outcome=report.outcome,
    )


def _apply(session: Session, plan: TurnPlan, now: float, history_limit: int, message_id: str | None) -> None:
    """Write a planned turn into its session: contexts, slots, pending question, the reply the next
    turn reads, and the messages the store appends to the history."""
    session.contexts = list(plan.contexts)
    session.slots = dict(plan.slots)
    session.awaiting = plan.awaiting
    session.turns += 1
    replies = [
        HistoryEntry(
            role="bot",
            text=text_form(message),
            at=now,
            intent=plan.intent,
            quick_replies=message.quick_replies if isinstance(message, TextMessage) else [],
            message=message,
        )
        for message in plan.messages
    ]
    if replies:
        session.last_reply = LastReply(intent=replies[-1].intent, quick_replies=replies[-1].quick_replies)
    user = HistoryEntry(role="user", text=plan.input, at=now, message_id=message_id)
    session.add_history([user, *replies], history_limit)
