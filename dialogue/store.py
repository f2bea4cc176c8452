"""Where sessions live between turns: one interface, an in-memory implementation.

A store keeps two things per conversation: its state (the Session a turn reads and writes, of a
size that does not grow with the conversation) and its history, appended to at the end of each turn
and read only to show the conversation. Both expire together and are deleted together.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from dialogue.session import HistoryEntry, Session


class StoreUnavailable(Exception):
    """The session store cannot be reached; the turn was not applied."""


class SessionStore(ABC):
    """Keeps sessions for ``ttl_seconds`` after their last turn.

    ``transaction`` gives exclusive access to one session: turns on the same session are applied
    one after the other, and a turn that fails half-way leaves the stored session unchanged.
    ``delete`` takes the same exclusive access: a turn in flight finishes first, then the session
    is erased, and no turn can write it back.
    """

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    def new_session(self, session_id: str) -> Session:
        """A fresh, empty session."""
        now = self.clock()
        return Session(id=session_id, created_at=now, updated_at=now)

    def expired(self, updated_at: float) -> bool:
        """Whether a session last updated at ``updated_at`` has outlived the TTL."""
        return self.clock() - updated_at > self.ttl_seconds

    @abstractmethod
    def transaction(self, session_id: str) -> AbstractAsyncContextManager[Session]:
        """``async with store.transaction(id) as session``: load (or create), edit, saved on exit."""

    @abstractmethod
    async def get(self, session_id: str) -> Session | None:
        """The stored session, or None when it does not exist or has expired."""

    @abstractmethod
    async def history(self, session_id: str, last: int | None = None) -> list[HistoryEntry] | None:
        """The session's recent messages (its ``last`` ones when given), oldest first; None when the
        session does not exist or has expired."""

    @abstractmethod
    async def delete(self, session_id: str) -> None:
        """Forget a session and its history, once the turn being applied to it (if any) is saved."""

    async def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot serve; the memory store always can."""

    async def close(self) -> None:
        """Release connections."""


@dataclass
class Traffic:
    """Bytes of session state a store has decoded and encoded: what its turns cost it."""

    read: int = 0
    written: int = 0


class MemoryStore(SessionStore):
    """Sessions in this process's memory: the embedded default, lost on restart.

    The state is kept as JSON, so that a turn works on a copy and a failed turn changes nothing;
    the history as a bounded deque of messages, which a turn only appends to.
    """

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        super().__init__(ttl_seconds, clock)
        self._sessions: dict[str, tuple[float, str]] = {}  # id -> (updated_at, JSON)
        self._histories: dict[str, deque[HistoryEntry]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}
        self._last_sweep = clock()
        self.traffic = Traffic()

    @asynccontextmanager
    async def transaction(self, session_id: str) -> AsyncIterator[Session]:
        async with self._exclusive(session_id):
            # Work on a copy (sessions are stored as JSON): an exception discards every change.
            session = await self.get(session_id) or self.new_session(session_id)
            yield session
            session.updated_at = self.clock()
            state = session.model_dump_json()
            self.traffic.written += len(state.encode())
            self._sessions[session_id] = (session.updated_at, state)
            self._append_history(session)

    def _append_history(self, session: Session) -> None:
        if not session.new_history:
            return
        kept = self._histories.get(session.id)
        if kept is None or kept.maxlen != session.history_limit:
            kept = self._histories[session.id] = deque(kept or (), maxlen=session.history_limit)
        kept.extend(session.new_history)

    @asynccontextmanager
    async def _exclusive(self, session_id: str) -> AsyncIterator[None]:
        """Hold the session's lock (turns and erasure wait for each other, in arrival order)."""
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        self._waiters[session_id] = self._waiters.get(session_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[session_id] -= 1
            if not self._waiters[session_id]:
                del self._waiters[session_id], self._locks[session_id]
            self._sweep()

    async def get(self, session_id: str) -> Session | None:
        stored = self._sessions.get(session_id)
        if stored is None:
            return None
        if self.expired(stored[0]):
            self._forget(session_id)
            return None
        self.traffic.read += len(stored[1].encode())
        return Session.model_validate_json(stored[1])

    async def history(self, session_id: str, last: int | None = None) -> list[HistoryEntry] | None:
        stored = self._sessions.get(session_id)
        if stored is None or self.expired(stored[0]):
            return None
        messages = list(self._histories.get(session_id, ()))
        return messages if last is None else messages[max(len(messages) - last, 0) :]

    async def delete(self, session_id: str) -> None:
        async with self._exclusive(session_id):
            self._forget(session_id)

    def _forget(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)
        self._histories.pop(session_id, None)

    def _sweep(self) -> None:
        """Drop expired sessions now and then, so memory stays bounded by the TTL."""
        now = self.clock()
        if now - self._last_sweep < min(60.0, self.ttl_seconds):
            return
        self._last_sweep = now
        expired = [sid for sid, (updated, _) in self._sessions.items() if self.expired(updated)]
        for sid in expired:
            self._forget(sid)
