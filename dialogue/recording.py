"""What the engine tells a conversation log about each turn, without knowing where it is kept.

The engine calls a :class:`TurnRecorder` given by the app factory; the SQL implementation lives in
the ``conversation_log`` package, so that the dialogue layer imports no database code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

TOP_ALTERNATIVES = 5  # alternatives kept with each recorded parse: enough to review a confusion


@dataclass(frozen=True)
class TurnEvent:
    """One answered user message, as the engine saw it (unmasked: the recorder masks it)."""

    at: float  # seconds since the epoch, when the turn was applied
    bot: str
    session_id: str
    channel: str
    turn_number: int  # 1 for the conversation's first message
    text: str
    parse: dict[str, Any]  # the Snips-shaped parse, alternatives cut to TOP_ALTERNATIVES
    intent: str | None
    probability: float
    fallback: bool
    reply: dict[str, Any]  # the Turn as JSON: what the visitor was sent (and what later versions add)
    model_hash: str
    latency_ms: float


@dataclass(frozen=True)
class ActionCallEvent:
    """One call of the company's action server: the log's table is ready for when actions exist."""

    at: float
    bot: str
    session_id: str
    name: str
    duration_ms: float
    outcome: str  # "ok", or why it failed: "timeout", "error", "invalid_reply"...


@dataclass(frozen=True)
class HandoffEvent:
    """A conversation passing to a person or back: the log's table is ready for when handoff exists."""

    at: float
    bot: str
    session_id: str
    kind: str  # "requested", "accepted", "returned"...
    detail: dict[str, Any] = field(default_factory=dict)


LogEvent = TurnEvent | ActionCallEvent | HandoffEvent


class TurnRecorder(Protocol):
    """Receives each event once it happened. ``record`` must return at once and never raise."""

    def record(self, event: LogEvent) -> None:
        """Take ``event`` for the log (queued: nothing is written while the visitor waits)."""
