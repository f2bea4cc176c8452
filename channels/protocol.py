"""The chat WebSocket's JSON frames, one pydantic model each, told apart by their ``type``.

Client to server: ``resume`` (first, to come back to a conversation), ``message``, ``ping``.
Server to client: ``welcome``, ``history``, ``typing``, ``bot``, ``pong``, ``error``. The README describes the exchange.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from causette_sdk.messages import Message
from channels.schemas import HistoryMessage, MessageId
from nlu.errors import validation_problems

ErrorCode = Literal[
    "invalid_json",
    "invalid_frame",
    "unknown_type",
    "binary_frame",
    "frame_too_large",
    "empty_text",
    "text_too_long",
    "too_many_pending",
    "invalid_session_id",
    "store_unavailable",
    "internal_error",
    "rate_limited",
    "not_found",
]
RESUME_SECONDS = 10.0  # how long the server waits for the ``resume`` frame of a returning client


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageFrame(_ClientFrame):
    """A user message; ``id`` comes back as ``reply_to`` on the answer."""

    type: Literal["message"]
    text: str
    id: str | None = Field(default=None, max_length=64)
    message_id: MessageId | None = Field(
        default=None, description="a retry with the same id gets the recorded answer, never a second turn"
    )


class ResumeFrame(_ClientFrame):
    """The first frame of a client coming back (``?session_id=``): the conversation's token."""

    type: Literal["resume"]
    token: str = Field(max_length=128)


class PingFrame(_ClientFrame):
    """Asks for a ``pong``: lets a browser notice a dead connection (it cannot see WS pings)."""

    type: Literal["ping"]


ClientFrame = Annotated[MessageFrame | PingFrame | ResumeFrame, Field(discriminator="type")]
CLIENT_FRAME: TypeAdapter[MessageFrame | PingFrame | ResumeFrame] = TypeAdapter(ClientFrame)


class WelcomeFrame(BaseModel):
    """First frame on every connection: the session to keep for reconnecting. A new conversation
    (none asked, or the one asked was unknown or not the client's) comes with its token."""

    type: Literal["welcome"] = "welcome"
    session_id: str
    max_text_chars: int
    token: str | None = Field(default=None, description="keep it: the 'resume' frame sends it back")


class HistoryFrame(BaseModel):
    """The conversation so far (empty for a new session), sent right after ``welcome``."""

    type: Literal["history"] = "history"
    messages: list[HistoryMessage]


class TypingFrame(BaseModel):
    """The bot starts (``active: true``) or stops working on a message."""

    type: Literal["typing"] = "typing"
    active: bool


class BotFrame(BaseModel):
    """The bot's answer to one user message: typed messages, each with its ``type``.

    A ``text`` message keeps the shape frames had before typed messages (``text`` and
    ``quick_replies``), so a client that reads only those still shows texts.
    """

    type: Literal["bot"] = "bot"
    messages: list[Message]
    intent: str | None = Field(description="null when the bot fell back")
    reply_to: str | None = None


class PongFrame(BaseModel):
    """Answer to a ``ping``."""

    type: Literal["pong"] = "pong"


class ErrorFrame(BaseModel):
    """A refused frame or a failed turn; the connection stays open unless said otherwise."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    reply_to: str | None = None
    retry_after: int | None = Field(default=None, description="rate_limited: seconds before sending again")


ServerFrame = WelcomeFrame | HistoryFrame | TypingFrame | BotFrame | PongFrame | ErrorFrame


def parse_client_frame(text: str) -> MessageFrame | PingFrame | ResumeFrame | ErrorFrame:
    """The frame a client sent, or the error frame that says what is wrong with it."""
    try:
        return CLIENT_FRAME.validate_json(text)
    except ValidationError as error:
        return _refusal(error)


def _refusal(error: ValidationError) -> ErrorFrame:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return ErrorFrame(code="invalid_json", message=f"frame is not JSON: {first['msg']}")
    if first["type"] == "union_tag_invalid":
        return ErrorFrame(code="unknown_type", message="unknown frame type; expected 'message', 'ping' or 'resume'")
    # The first location part is the frame's type (the union's tag): the client knows it.
    problems = validation_problems(error, "frame", skip=1)
    return ErrorFrame(code="invalid_frame", message="; ".join(problem.text("en") for problem in problems))
