"""How long the log keeps what: texts for a short period, the rows analytics count for a longer one.

Two categories, each with its period in ``bot.toml`` (``[privacy]``): the texts of a turn (what the
visitor wrote, the parse, the messages sent) are emptied after ``texts_days``; whole rows (turns,
action calls, handoff events: what the analytics count) are deleted after ``records_days``. The
server runs :func:`purge` at start and then every ``interval`` seconds by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update

from conversation_log.database import LogDatabase
from conversation_log.models import EVENT_TABLES, ErasureRecord, TurnRecord
from nlu.config import PrivacyConfig

log = logging.getLogger("causette.conversation_log")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PurgeResult:
    """What one purge removed."""

    texts_emptied: int
    rows_deleted: int


async def purge(database: LogDatabase, bot: str, retention: PrivacyConfig, now: datetime) -> PurgeResult:
    """Empty the texts older than ``texts_days`` and delete the rows older than ``records_days``."""
    texts_before = now - timedelta(days=retention.texts_days)
    rows_before = now - timedelta(days=retention.records_days)
    async with database.engine.begin() as connection:
        deleted = 0
        for table in EVENT_TABLES:
            result = await connection.execute(delete(table).where(table.bot == bot, table.at < rows_before))
            deleted += result.rowcount
        # An erasure row outlives every event it could concern after the records' period.
        await connection.execute(delete(ErasureRecord).where(ErasureRecord.bot == bot, ErasureRecord.at < rows_before))
        emptied = await connection.execute(
            update(TurnRecord)
            .where(TurnRecord.bot == bot, TurnRecord.at < texts_before, TurnRecord.text.is_not(None))
            .values(text=None, parse=None, reply=None)
        )
    return PurgeResult(texts_emptied=emptied.rowcount, rows_deleted=deleted)


async def purge_periodically(
    database: LogDatabase, bot: str, retention: PrivacyConfig, interval: float, clock: Clock = utc_now
) -> None:
    """Purge now, then every ``interval`` seconds, until cancelled; a failed purge is retried next time."""
    while True:
        try:
            result = await purge(database, bot, retention, clock())
        except Exception as error:  # the database may be down: the next round tries again
            log.warning(
                "conversation log purge failed (%s: %s); next try in %g s", type(error).__name__, error, interval
            )
        else:
            if result.texts_emptied or result.rows_deleted:
                log.info(
                    "conversation log purge: %d turn text(s) emptied, %d row(s) deleted",
                    result.texts_emptied,
                    result.rows_deleted,
                )
        await asyncio.sleep(interval)
