"""The dialogue engine: one user message in, the bot's turn out."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import anyio
from pydantic import BaseModel, Field, computed_field

from causette_sdk.messages import Message, TextMessage, text_form
from dialogue.brain import Brain, BrainHolder
from dialogue.plan import TurnPlan, plan_turn, quick_replies_of
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
    ) -> None:
        self.brains = brains
        # Parsing is CPU work: it runs in these threads, never on the event loop, so one long
        # message does not stall every other conversation of the process.
        self.parse_threads = parse_threads or anyio.CapacityLimiter(1)
        self.store = store
        self.rng = rng or random.Random(brains.current.bot.config.response_seed)
        self.clock = clock

    @classmethod
    def in_memory(cls, bot: Bot, model: Model) -> DialogueEngine:
        """An engine for ``bot`` answering with ``model``, its sessions in this process's memory
        (a terminal chat, a benchmark)."""
        return cls(BrainHolder(Brain(bot=bot, model=model)), MemoryStore(bot.config.session_ttl_seconds))

    async def handle(
        self,
        session_id: str,
        text: str,
        *,
        message_id: str | None = None,
        guard: Callable[[Session], None] | None = None,
    ) -> Turn:
        """Answer ``text`` in conversation ``session_id``; the session is updated atomically.

        ``guard`` runs first inside the transaction and may refuse the session by raising (the
        session is left as it was). A ``message_id`` already answered in this session gets its
        recorded turn again, and nothing is applied twice; a new one is recorded with the turn.
        """
        brain = self.brains.current
        parse = await anyio.to_thread.run_sync(brain.model.parse, text, limiter=self.parse_threads)
        async with self.store.transaction(session_id) as session:
            if guard is not None:
                guard(session)
            if message_id is not None and (recorded := session.recorded_turn(message_id)) is not None:
                return Turn.model_validate_json(recorded)
            now = self.clock()
            plan = plan_turn(brain, session, parse, self.rng, now)
            _apply(session, plan, now, brain.bot.config.history_limit, message_id)
            turn = Turn(
                session_id=session.id,
                messages=plan.messages,
                intent=plan.intent,
                probability=plan.probability,
                fallback=plan.fallback,
                contexts=session.context_names,
                slots=plan.slots,
            )
            if message_id is not None:
                session.record_turn(message_id, turn.model_dump_json())
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
