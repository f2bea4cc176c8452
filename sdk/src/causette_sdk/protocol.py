"""The action protocol, version 1: what a Causette bot POSTs to an action server, and the answer.

Once an intent that names an action has its required slots, the bot sends an
:class:`ActionRequest` as JSON (signed, see :mod:`causette_sdk.signature`) and expects an
:class:`ActionResponse`. Both are plain JSON: an action server may be written in any language
(the SDK's README documents every field).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from causette_sdk.messages import Message

PROTOCOL_VERSION: Literal[1] = 1
MAX_MESSAGES = 10

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
SlotName = Annotated[str, Field(pattern=r"^\w{1,64}$")]
SlotScalar = Annotated[str, Field(min_length=1, max_length=200)] | int | float | bool


class IntentInfo(BaseModel):
    """The intent the bot understood."""

    name: str
    probability: float = Field(ge=0.0, le=1.0)


class SlotInfo(BaseModel):
    """A slot the conversation holds: Snips' fields, plus the value written in French."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    entity: str
    raw_value: str = Field(
        validation_alias=AliasChoices("rawValue", "raw_value"),
        serialization_alias="rawValue",
        description="the words as the visitor typed them",
    )
    value: dict[str, Any] = Field(description='the resolved value, e.g. {"kind": "Custom", "value": "rose"}')
    text: str = Field(description="the value written in French")


class ContextInfo(BaseModel):
    """A context active in the conversation."""

    name: str
    turns_left: int


class HistoryTurn(BaseModel):
    """One message of the conversation's recent history, oldest first."""

    role: Literal["user", "bot"]
    text: str
    intent: str | None = None


class ActionRequest(BaseModel):
    """What the bot sends to an action server (JSON, POST, signed)."""

    version: Literal[1] = PROTOCOL_VERSION
    request_id: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        description="unique to each request: two alike requests in one second still differ (and sign differently)",
    )
    bot: str = Field(description="the bot's name (bot.toml's name)")
    action: Name = Field(description="the action to run, as the intent names it")
    conversation_id: str
    channel: str = Field(description='where the visitor writes from: "rest", "websocket", "terminal", "test"')
    text: str = Field(description="the visitor's message")
    intent: IntentInfo
    slots: dict[str, SlotInfo] = Field(default_factory=dict, description="slot name -> value, after this message")
    contexts: list[ContextInfo] = Field(default_factory=list, description="contexts active before this message")
    history: list[HistoryTurn] = Field(default_factory=list, description="the last few messages before this one")


class ContextChange(BaseModel):
    """A context to start: active for ``lifespan`` visitor messages (default: the bot's ``context_lifespan``)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    lifespan: int | None = Field(default=None, ge=1, le=100)


class ActionResponse(BaseModel):
    """What an action server answers. Every field is optional; unknown fields are refused.

    - ``messages``: the bot's reply (the same message types as the bot's turns). Empty: the bot
      answers with the intent's own responses, filled with the slots after the changes below.
    - ``set_slots`` / ``clear_slots``: slot values to remember or forget.
    - ``set_contexts`` / ``clear_contexts``: contexts to start or end.
    - ``ask_slot``: a slot of the intent to ask for next (its question follows the messages).
    """

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = PROTOCOL_VERSION
    messages: list[Message] = Field(default_factory=list, max_length=MAX_MESSAGES)
    set_slots: dict[SlotName, SlotScalar] = Field(default_factory=dict, max_length=20)
    clear_slots: list[SlotName] = Field(default_factory=list, max_length=20)
    set_contexts: list[ContextChange] = Field(default_factory=list, max_length=10)
    clear_contexts: list[Name] = Field(default_factory=list, max_length=10)
    ask_slot: SlotName | None = None
