"""Request and response bodies of the REST API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from causette_sdk.messages import Message, has_visible_text
from channels.server.model_sync import SharedState
from channels.server.reload import ReloadProgress, ReloadResult
from dialogue import HistoryEntry, SlotValue
from dialogue.actions import ActionReport
from nlu import ModelInfo

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
    if not has_visible_text(text):  # zero-width characters alone are as empty as spaces
        raise TextRefused("empty_text", "text must not be empty (it has no visible character)")
    if len(text) > limit:
        raise TextRefused("text_too_long", f"text is longer than {limit} characters")
    return text


MESSAGE_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"  # a UUID, a counter, a provider's message id
MessageId = Annotated[str, Field(pattern=MESSAGE_ID_PATTERN, examples=["6f1c2a9e-1d2b-4c3e-9f00-2b7e1a0c5d11"])]


class MessageIn(BaseModel):
    """A user message. Its maximum length is the server's ``max_text_chars`` setting."""

    model_config = ConfigDict(extra="forbid")

    # Described, not enforced, here: check_user_text refuses an empty or too long text with a
    # sentence; the app factory adds the schema's maxLength (a setting) and visible-character pattern.
    text: str = Field(examples=["je voudrais louer un scooter"], json_schema_extra={"minLength": 1})
    message_id: MessageId | None = Field(
        default=None,
        description="the client's id of this message: a retry with the same id gets the turn "
        "recorded for it, never a second turn (the last 16 ids of a conversation are kept)",
    )


class IntentOut(BaseModel):
    """The intent the bot chose."""

    name: str
    probability: float


class TurnOut(BaseModel):
    """The bot's reply to one message."""

    session_id: str
    messages: list[Message] = Field(
        description="the reply as typed messages: text (with quick replies), buttons, image, card, carousel"
    )
    responses: list[str] = Field(description="the reply as texts, one per message, for clients that show only text")
    intent: IntentOut | None = Field(description="null when the bot fell back")
    contexts: list[str] = Field(description="contexts active after this turn")
    slots: dict[str, SlotValue] = Field(default_factory=dict, description="the slots the conversation holds")
    quick_replies: list[str] = Field(default_factory=list)
    action: ActionReport | None = Field(
        default=None, description="the action this turn ran: name, duration_ms, outcome and what it changed"
    )


class OpenedOut(TurnOut):
    """The first turn of a conversation the server opened, and the token that owns it."""

    conversation_token: str | None = Field(
        description="send it as the X-Conversation-Token header with every later request of this "
        "conversation; shown once, never again (null when opened with an API key)"
    )


def _iso_8601(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


# Sessions keep times as seconds since the epoch; clients get them as ISO 8601 (UTC) strings.
IsoTime = Annotated[
    float,
    PlainSerializer(_iso_8601, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-11-28T15:10:38.123456+00:00"]}),
]


def _written_as_a_day(value: object) -> object:
    # pydantic also reads a number as a date (0 is 1970-01-01): a day given in a URL is YYYY-MM-DD only.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A day as the schema describes it (format: date): YYYY-MM-DD.
IsoDay = Annotated[date, BeforeValidator(_written_as_a_day)]


class HistoryMessage(HistoryEntry):
    """One message of a conversation's history, its time ``at`` in ISO 8601 (UTC)."""

    at: IsoTime

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryMessage:
        """The API shape of a stored history entry."""
        return cls.model_validate(entry.model_dump())


class ConversationOut(BaseModel):
    """A conversation's recent history."""

    session_id: str
    history: list[HistoryMessage]


class ModelOut(ModelInfo):
    """The model being served (its saved info), and how live reload is going."""

    watching: bool = Field(description="whether edits of the bot's files reload it (serve --watch)")
    reloading: ReloadProgress | None = Field(description="the reload under way, if any")
    last_reload: ReloadResult | None = Field(description="how the latest reload ended")
    last_error: ReloadResult | None = Field(
        description="the latest failed reload, until one succeeds: the problems, with file and line"
    )
    shared: SharedState | None = Field(
        default=None, description="with Redis: the published version every process serves, and any refused"
    )


ModelStatus = Literal["ok", "reloading", "reload_failed"]


class ModelSummary(BaseModel):
    """The model being served, as anyone may see it: its version and whether reloads are healthy."""

    content_hash: str = Field(description="the model's version: a hash of the files it was trained from")
    status: ModelStatus


class Health(BaseModel):
    """Whether this process can serve turns."""

    status: str
    model: str
    store: str


class ErrorOut(BaseModel):
    """The body of an error answer: what went wrong, for the client's developer."""

    detail: str


class FieldIssue(BaseModel):
    """One reason a request failed validation (FastAPI's shape)."""

    type: str = Field(examples=["missing", "json_invalid"])
    loc: list[str | int] = Field(description="where: 'body', 'path' or 'query', then the field")
    msg: str
    input: Any = Field(default=None, description="the value refused")
    ctx: dict[str, Any] | None = Field(default=None, description="the rule broken, e.g. a pattern")


class RefusedOut(BaseModel):
    """A refused request: a sentence (e.g. empty text), or the fields that failed validation."""

    detail: str | list[FieldIssue]


_ERRORS: dict[int, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "the Host header is not one of the server's allowed_hosts"},
    401: {"model": ErrorOut, "description": "no credentials sent (admin key, API key or conversation token)"},
    403: {"model": ErrorOut, "description": "wrong admin key, admin disabled, or the admin key speaking"},
    404: {"model": ErrorOut, "description": "no conversation of this id for these credentials (or it expired)"},
    408: {"model": ErrorOut, "description": "the request body was not received in time"},
    413: {"model": ErrorOut, "description": "request body larger than the server's max_body_bytes"},
    422: {"model": RefusedOut, "description": "invalid request: empty or too long text, malformed field"},
    429: {
        "model": ErrorOut,
        "description": "too many requests from this address or for this conversation",
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    },
    503: {"model": ErrorOut, "description": "the session store cannot be reached; try again later"},
}
# Every route may answer these: the host check, the address's rate limit and the bounds on a
# request body (any method may send one) run before routing.
HOST_REFUSED, BODY_TOO_SLOW, BODY_TOO_LARGE, RATE_LIMITED = 400, 408, 413, 429


def error_responses(*statuses: int, rate_limited: bool = True) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of an endpoint that can answer these error statuses, besides the
    host check's 400, the body bounds' 408 and 413 and (unless the route is not counted) the rate
    limit's 429."""
    common = {HOST_REFUSED, BODY_TOO_SLOW, BODY_TOO_LARGE}
    if rate_limited:
        common.add(RATE_LIMITED)
    return {status: _ERRORS[status] for status in sorted({*statuses, *common})}


# The log's endpoints answer 404 when the log is off, and 503 when its database cannot be reached.
LOG_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "the conversation log is off (CAUSETTE_CONVERSATION_LOG=false)"},
    503: {"model": ErrorOut, "description": "the session store or the conversation log's database cannot be reached"},
}


class ConversationExport(BaseModel):
    """Everything stored about one conversation: its session (if it is still kept) and its log rows."""

    session_id: str
    session: list[HistoryMessage] | None = Field(description="the session's history; null when expired or erased")
    log: dict[str, list[dict[str, Any]]] = Field(
        description="the conversation log's rows by table (turns, action_calls, handoff_events), masked, oldest first"
    )
