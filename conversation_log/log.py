"""The conversation log of one served bot: its database, its writer and its purge, started and
stopped together by the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from conversation_log.analytics import Analytics, analytics
from conversation_log.database import LogDatabase, describe
from conversation_log.masking import Masker
from conversation_log.records import erase_conversation, export_conversation
from conversation_log.retention import purge_periodically
from conversation_log.writer import LogWriter
from nlu.config import PrivacyConfig

log = logging.getLogger("causette.conversation_log")
T = TypeVar("T")


class LogUnavailable(RuntimeError):
    """The log's database cannot be reached: an export, erasure or analytics cannot be answered now."""


@dataclass(frozen=True)
class LogOptions:
    """The operator's settings for the log (the server's settings pass them in)."""

    url: str
    queue_bound: int = 10_000
    batch_size: int = 200
    retry_seconds: float = 1.0
    batch_wait_seconds: float = 0.25
    flush_seconds: float = 10.0
    purge_interval_seconds: float = 3600.0


class ConversationLog:
    """Records a bot's turns (as its engine's ``TurnRecorder``), answers exports, erasures and analytics."""

    def __init__(self, bot: str, privacy: PrivacyConfig, options: LogOptions) -> None:
        self.bot = bot
        self.privacy = privacy
        self.options = options
        self.database = LogDatabase(options.url)
        self.writer = LogWriter(
            self.database,
            Masker(privacy.mask_patterns),
            bound=options.queue_bound,
            batch_size=options.batch_size,
            retry_seconds=options.retry_seconds,
            batch_wait_seconds=options.batch_wait_seconds,
        )
        self._background: list[asyncio.Task[None]] = []
        self.migrated = False

    @property
    def where(self) -> str:
        """The database, its password hidden."""
        return describe(self.options.url)

    async def start(self) -> None:
        """Migrate the schema to this version's, then write and purge in the background.

        A database that cannot be reached does not stop the server: turns are buffered, and the
        migration is retried in the background until it succeeds.
        """
        try:
            await self.database.migrate()
        except Exception as error:  # any driver's error: unreachable, refused, starting up
            log.warning("conversation log database unreachable at start (%s): retrying in the background", error)
            self._background.append(asyncio.create_task(self._start_when_reachable(), name="causette-log-migrate"))
        else:
            self._run_in_background()

    async def _start_when_reachable(self) -> None:
        while True:
            await asyncio.sleep(self.options.retry_seconds)
            try:
                await self.database.migrate()
            except Exception:  # still unreachable: try again
                continue
            log.warning("conversation log database reachable: schema up to date, writing")
            self._run_in_background()
            return

    def _run_in_background(self) -> None:
        self.migrated = True
        self.writer.start()
        self._background.append(
            asyncio.create_task(
                purge_periodically(self.database, self.bot, self.privacy, self.options.purge_interval_seconds),
                name="causette-log-purge",
            )
        )

    async def close(self) -> None:
        """Stop purging, write what is buffered, close the connections."""
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.writer.close(self.options.flush_seconds)
        await self.database.dispose()

    async def export(self, conversation_id: str) -> dict[str, list[dict[str, Any]]]:
        """Everything the log holds about a conversation (LogUnavailable when the database is down)."""
        return await _reaching(lambda: export_conversation(self.database, self.bot, conversation_id))

    async def erase(self, conversation_id: str) -> int:
        """Erase a conversation's records and its buffered events; how many (LogUnavailable: database down)."""
        return await _reaching(lambda: erase_conversation(self.database, self.writer, self.bot, conversation_id))

    async def analytics(self, since: date | None = None, until: date | None = None) -> Analytics:
        """The bot's figures over a period (LogUnavailable when the database is down)."""
        return await _reaching(lambda: analytics(self.database, self.bot, since, until))

    def status(self) -> dict[str, Any]:
        """The writer's counters and where the log is; ``migrated`` is false until the schema is
        up to date (the database was unreachable at start)."""
        status = {"database": self.where, "migrated": self.migrated, **self.writer.status()}
        status["database_up"] = self.migrated and status["database_up"]
        return status


async def _reaching(query: Callable[[], Awaitable[T]]) -> T:
    """Run ``query``; a database that cannot answer becomes LogUnavailable."""
    try:
        return await query()
    except (SQLAlchemyError, OSError) as error:
        raise LogUnavailable(f"the conversation log's database cannot be reached ({type(error).__name__})") from error
