"""The state of one conversation, as stored between turns, and the messages of its history.

A turn reads and writes the state only: its size does not grow with the conversation. The history
is kept apart by the store, appended to at the end of each turn and read only to show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PrivateAttr

from causette_sdk.messages import Message


class ActiveContext(BaseModel):
    """A context set by an intent: active for ``turns_left`` more user turns and until ``expires_at``."""

    name: str
    turns_left: int
    expires_at: float


class HistoryEntry(BaseModel):
    """One message of the conversation, user's or bot's."""

    role: Literal["user", "bot"]
    text: str
    at: float
    intent: str | None = None
    quick_replies: list[str] = Field(default_factory=list)
    message: Message | None = Field(
        default=None,
        description="the bot's message as sent (text, buttons, image, card, carousel); ``text`` is its text form",
    )
    message_id: str | None = None  # a user message's client id: a client sees which were applied


class SlotValue(BaseModel):
    """What a conversation keeps of a slot: the seed's Snips fields plus the value written in French.

    Served and stored with the seed's camelCase key (``rawValue``), as the parse result writes it.
    """

    model_config = ConfigDict(frozen=True, serialize_by_alias=True)

    entity: str
    raw_value: str = Field(
        validation_alias=AliasChoices("rawValue", "raw_value"),
        serialization_alias="rawValue",
        description="the words as the user typed them",
    )
    value: dict[str, Any] = Field(description="the resolved value, as the parse result gives it")
    text: str = Field(description="the value written in French, as responses show it")


class SlotRequest(BaseModel):
    """The slot the bot asked for, and how many times in a row it has asked."""

    intent: str
    slot: str
    asks: int = 1


class LastReply(BaseModel):
    """What the next turn needs of the bot's last message: the intent it answered (None for a
    clarifying question or a fallback) and the buttons it offered."""

    intent: str | None = None
    quick_replies: list[str] = Field(default_factory=list)


RECORDED_TURNS = 16  # message ids a session remembers the answer of, for clients' retries


class RecordedTurn(BaseModel):
    """The answer given to a client's message, kept so that a retry gets it again."""

    message_id: str
    turn: str  # the turn as the engine returned it, JSON


class Session(BaseModel):
    """A conversation's state: active contexts, remembered slots, the pending question and the
    bot's last reply. Its history is not part of it (see :meth:`add_history`)."""

    id: str
    contexts: list[ActiveContext] = Field(default_factory=list)
    slots: dict[str, SlotValue] = Field(default_factory=dict)  # slot name -> its remembered value
    awaiting: SlotRequest | None = None  # set while the bot waits for the answer to a slot question
    last_reply: LastReply | None = None
    turns: int = 0
    # SHA-256 of the visitor's token (None for an API key's conversation): see channels/server/ownership.py.
    token_hash: str | None = None
    # The last RECORDED_TURNS answers to messages that carried an id, oldest first.
    recorded: list[RecordedTurn] = Field(default_factory=list)
    created_at: float
    updated_at: float
    # Messages of this turn, appended to the stored history when the transaction ends.
    _new_history: list[HistoryEntry] = PrivateAttr(default_factory=list)
    _history_limit: int | None = PrivateAttr(default=None)

    @property
    def context_names(self) -> list[str]:
        """Names of the active contexts."""
        return [context.name for context in self.contexts]

    def add_history(self, entries: Iterable[HistoryEntry], limit: int | None = None) -> None:
        """Append ``entries`` to the conversation's history when the turn is saved, keeping its
        last ``limit`` messages (all of them when None)."""
        self._new_history.extend(entries)
        self._history_limit = limit

    @property
    def new_history(self) -> list[HistoryEntry]:
        """The messages this turn adds to the history."""
        return self._new_history

    @property
    def history_limit(self) -> int | None:
        """How many messages the history keeps after this turn (None: all)."""
        return self._history_limit

    def recorded_turn(self, message_id: str) -> str | None:
        """The JSON of the turn that answered ``message_id``, if it is among the last recorded."""
        return next((kept.turn for kept in self.recorded if kept.message_id == message_id), None)

    def record_turn(self, message_id: str, turn: str) -> None:
        """Remember the answer to ``message_id``, forgetting the oldest beyond RECORDED_TURNS."""
        self.recorded = [*self.recorded, RecordedTurn(message_id=message_id, turn=turn)][-RECORDED_TURNS:]
