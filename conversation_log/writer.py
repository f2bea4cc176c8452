"""The log's writer: events queue in a bounded buffer and are written in batches, off the hot path.

``record`` only appends to the buffer and returns: a visitor never waits for the database. A
background task masks and writes the oldest events, up to ``batch_size`` at a time, in order,
after waiting ``batch_wait_seconds`` for a batch to gather.
While the database is down the events wait in the buffer and the task retries; once the buffer
holds ``bound`` events, new ones are dropped and counted (``dropped``, and a log line). Each event
gets its ``event_id`` when taken, so a batch retried after a lost reply is not stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from conversation_log.database import LogDatabase
from conversation_log.masking import Masker
from conversation_log.models import ActionCallRecord, EventTable, HandoffRecord, TurnRecord
from dialogue.recording import ActionCallEvent, HandoffEvent, LogEvent, TurnEvent

log = logging.getLogger("causette.conversation_log")

DROP_LOG_EVERY = 1000  # after the first dropped event, one log line per this many more


@dataclass
class WriterCounters:
    """What the writer did since the server started: the log's metrics."""

    recorded: int = 0  # taken into the buffer
    written: int = 0  # stored in the database
    dropped: int = 0  # refused: the buffer was full (the database was down too long)
    failed_writes: int = 0  # batch writes that failed and were retried
    pending: int = 0  # in the buffer now
    database_up: bool = True


@dataclass(frozen=True)
class _Pending:
    event_id: str
    event: LogEvent


class LogWriter:
    """Takes the engine's events (a ``TurnRecorder``) and writes them to a :class:`LogDatabase`."""

    def __init__(
        self,
        database: LogDatabase,
        masker: Masker,
        bound: int = 10_000,
        batch_size: int = 200,
        retry_seconds: float = 1.0,
        batch_wait_seconds: float = 0.25,
    ) -> None:
        self.database = database
        self.masker = masker
        self.bound = bound
        self.batch_size = batch_size
        self.retry_seconds = retry_seconds
        self.batch_wait_seconds = batch_wait_seconds
        self.counters = WriterCounters()
        self._pending: deque[_Pending] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        # Held while a batch is written: an erasure waits for it, so no erased row lands after it.
        self.writing = asyncio.Lock()

    def record(self, event: LogEvent) -> None:
        """Queue ``event``; when the buffer is full, drop it and count it. Never blocks, never raises."""
        if len(self._pending) >= self.bound:
            self.counters.dropped += 1
            if self.counters.dropped % DROP_LOG_EVERY == 1:
                log.warning(
                    "conversation log buffer full (%d events waiting for the database): %d event(s) dropped so far",
                    len(self._pending),
                    self.counters.dropped,
                )
            return
        self._pending.append(_Pending(uuid.uuid4().hex, event))
        self.counters.recorded += 1
        self._wake.set()

    def forget(self, session_id: str) -> int:
        """Drop the buffered events of one conversation (erasure); how many were dropped."""
        kept = deque(item for item in self._pending if item.event.session_id != session_id)
        forgotten = len(self._pending) - len(kept)
        self._pending = kept
        return forgotten

    @property
    def pending(self) -> int:
        """Events waiting in the buffer."""
        return len(self._pending)

    def start(self) -> None:
        """Start the background task that writes the buffer."""
        self._task = asyncio.create_task(self._run(), name="causette-conversation-log")

    async def close(self, flush_seconds: float = 10.0) -> None:
        """Write what is buffered (for at most ``flush_seconds``), then stop; what is left is counted lost."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), flush_seconds)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._pending:  # the database stayed down (or never came up): these are lost
            log.error("conversation log: %d event(s) not written at shutdown (database down)", self.pending)
            self.counters.dropped += self.pending
            self._pending.clear()

    async def flushed(self) -> None:
        """Wait until the buffer is empty (tests and benchmarks; the database must be up)."""
        while self._pending or self.writing.locked():
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        while self._pending or not self._closing:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            if len(self._pending) < self.batch_size and not self._closing:
                # A transaction costs the server more CPU than a turn does (about 1.5 ms against
                # 1 ms); gathering a batch first makes it a small share of each (bench/conversation_log.py).
                await asyncio.sleep(self.batch_wait_seconds)
            if not await self._write_batch():
                await asyncio.sleep(self.retry_seconds)

    async def _write_batch(self) -> bool:
        """Write the oldest events (up to ``batch_size``); False when the database refused them."""
        async with self.writing:
            batch = list(itertools.islice(self._pending, self.batch_size))
            try:
                tables = _rows_by_table(batch, self.masker)
            except Exception:  # a defect, not an outage: retrying would stop the log for good
                log.exception("conversation log: %d event(s) could not be made into rows, dropped", len(batch))
                self._remove(batch)
                self.counters.dropped += len(batch)
                return True
            try:
                await self.database.insert(tables)
            except Exception as error:  # any driver's error: the database is unreachable or failing
                self._failed(error)
                return False
            self._remove(batch)
        self.counters.written += len(batch)
        self.counters.pending = len(self._pending)
        if not self.counters.database_up:
            log.warning("conversation log database is back: writing %d buffered event(s)", len(self._pending))
            self.counters.database_up = True
        return True

    def _remove(self, batch: list[_Pending]) -> None:
        # By id, not by position: an erasure may have taken other events out of the buffer meanwhile.
        done = {item.event_id for item in batch}
        self._pending = deque(item for item in self._pending if item.event_id not in done)

    def _failed(self, error: Exception) -> None:
        self.counters.failed_writes += 1
        self.counters.pending = len(self._pending)
        if self.counters.database_up:
            log.warning(
                "conversation log database unreachable (%s: %s): events wait in the buffer (at most %d)",
                type(error).__name__,
                error,
                self.bound,
            )
        self.counters.database_up = False

    def status(self) -> dict[str, Any]:
        """The counters as JSON."""
        self.counters.pending = len(self._pending)
        return asdict(self.counters)


def _rows_by_table(batch: list[_Pending], masker: Masker) -> dict[type[EventTable], list[dict[str, Any]]]:
    """The rows to insert, masked, grouped by table (in order within each table)."""
    tables: dict[type[EventTable], list[dict[str, Any]]] = {}
    for item in batch:
        table, row = _row(item, masker)
        tables.setdefault(table, []).append(row)
    return tables


def _row(item: _Pending, masker: Masker) -> tuple[type[EventTable], dict[str, Any]]:
    event = item.event
    at = datetime.fromtimestamp(event.at, UTC)
    common = {
        "event_id": item.event_id,
        "at": at,
        "day": at.date(),
        "bot": event.bot,
        "conversation_id": event.session_id,
    }
    if isinstance(event, TurnEvent):
        return TurnRecord, {
            **common,
            "channel": event.channel,
            "turn_number": event.turn_number,
            "text": masker.text(event.text),
            "parse": masker.json(event.parse),
            "intent": event.intent,
            "probability": event.probability,
            "fallback": event.fallback,
            "reply": masker.json(event.reply),
            "model_hash": event.model_hash,
            "latency_ms": event.latency_ms,
        }
    if isinstance(event, ActionCallEvent):
        return ActionCallRecord, {
            **common,
            "name": event.name,
            "duration_ms": event.duration_ms,
            "outcome": event.outcome,
        }
    assert isinstance(event, HandoffEvent)
    return HandoffRecord, {**common, "kind": event.kind, "detail": masker.json(event.detail)}
