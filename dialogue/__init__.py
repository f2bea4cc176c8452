"""Conversation: session state + context rules -> replies. Knows nothing of HTTP or WebSocket."""

from dialogue.brain import Brain, BrainHolder
from dialogue.engine import DialogueEngine, Turn
from dialogue.plan import TurnPlan
from dialogue.redis_store import RedisStore
from dialogue.session import ActiveContext, HistoryEntry, Session, SlotValue
from dialogue.store import MemoryStore, SessionStore, StoreUnavailable

__all__ = [
    "ActiveContext",
    "Brain",
    "BrainHolder",
    "DialogueEngine",
    "HistoryEntry",
    "MemoryStore",
    "RedisStore",
    "Session",
    "SessionStore",
    "SlotValue",
    "StoreUnavailable",
    "Turn",
    "TurnPlan",
]
