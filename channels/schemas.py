"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from channels.server.reload import ReloadProgress, ReloadResult
from dialogue import HistoryEntry, SlotValue

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

SessionId = Annotated[
    str,
    Path(pattern=SESSION_ID_PATTERN, description="1 to 64 letters, digits, '-' or '_'", examples=["visitor-42"]),
]


class TextRefused(ValueError):
    """A user message no channel passes to the engine: empty, or longer than the limit."""

    def __init__(self, code: Literal["empty_text", "text_too_long"], message: str) -> None:
        super().__init__(message)
        self.code = code


def check_user_text(text: str, limit: int) -> str:
    """``text`` when a channel may answer it, else TextRefused saying why."""
    if not text.strip():
        raise TextRefused("empty_text", "text must not be empty")
    if len(text) > limit:
        raise TextRefused("text_too_long", f"text is longer than {limit} characters")
    return text


class MessageIn(BaseModel):
    """A user message. Its maximum length is the server's ``max_text_chars`` setting."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(examples=["je voudrais louer un scooter"])


class IntentOut(BaseModel):
    """The intent the bot chose."""

    name: str
    probability: float


class TurnOut(BaseModel):
    """The bot's reply to one message."""

    session_id: str
    responses: list[str]
    intent: IntentOut | None = Field(description="null when the bot fell back")
    contexts: list[str] = Field(description="contexts active after this turn")
    slots: dict[str, SlotValue] = Field(default_factory=dict, description="the slots the conversation holds")
    quick_replies: list[str] = Field(default_factory=list)


class ConversationOut(BaseModel):
    """A conversation's recent history."""

    session_id: str
    history: list[HistoryEntry]


class ModelOut(BaseModel):
    """The model being served, and how live reload is going."""

    backend: str
    content_hash: str
    trained_at: datetime
    training_seconds: float
    intents: list[str]
    watching: bool = Field(description="whether edits of the bot's files reload it (serve --watch)")
    reloading: ReloadProgress | None = Field(description="the reload under way, if any")
    last_reload: ReloadResult | None = Field(description="how the latest reload ended")
    last_error: ReloadResult | None = Field(
        description="the latest failed reload, until one succeeds: the problems, with file and line"
    )


class Health(BaseModel):
    """Whether this process can serve turns."""

    status: str
    model: str
    store: str
