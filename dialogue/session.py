"""The state of one conversation, as stored between turns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

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


class Session(BaseModel):
    """A conversation: active contexts, remembered slots and recent history."""

    id: str
    contexts: list[ActiveContext] = Field(default_factory=list)
    slots: dict[str, SlotValue] = Field(default_factory=dict)  # slot name -> its remembered value
    awaiting: SlotRequest | None = None  # set while the bot waits for the answer to a slot question
    history: list[HistoryEntry] = Field(default_factory=list)
    turns: int = 0
    created_at: float
    updated_at: float

    @property
    def context_names(self) -> list[str]:
        """Names of the active contexts."""
        return [context.name for context in self.contexts]
