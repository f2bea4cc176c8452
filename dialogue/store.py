"""Where sessions live between turns: one interface, an in-memory implementation."""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from dialogue.session import Session


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
    async def delete(self, session_id: str) -> None:
        """Forget a session, once the turn being applied to it (if any) is saved."""

    async def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot serve; the memory store always can."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore(SessionStore):
    """Sessions in this process's memory: the embedded default, lost on restart."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        super().__init__(ttl_seconds, clock)
        self._sessions: dict[str, tuple[float, str]] = {}  # id -> (updated_at, JSON)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}
        self._last_sweep = clock()

    @asynccontextmanager
    async def transaction(self, session_id: str) -> AsyncIterator[Session]:
        async with self._exclusive(session_id):
            # Work on a copy (sessions are stored as JSON): an exception discards every change.
            session = await self.get(session_id) or self.new_session(session_id)
            yield session
            session.updated_at = self.clock()
            self._sessions[session_id] = (session.updated_at, session.model_dump_json())

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
            self._sessions.pop(session_id, None)
            return None
        return Session.model_validate_json(stored[1])

    async def delete(self, session_id: str) -> None:
        async with self._exclusive(session_id):
            self._sessions.pop(session_id, None)

    def _sweep(self) -> None:
        """Drop expired sessions now and then, so memory stays bounded by the TTL."""
        now = self.clock()
        if now - self._last_sweep < min(60.0, self.ttl_seconds):
            return
        self._last_sweep = now
        expired = [sid for sid, (updated, _) in self._sessions.items() if self.expired(updated)]
        for sid in expired:
            del self._sessions[sid]
