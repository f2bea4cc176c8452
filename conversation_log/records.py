"""One conversation's records, for the rights of the person behind it: export them, erase them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from conversation_log.database import LogDatabase
from conversation_log.models import EVENT_TABLES, Base, ErasureRecord
from conversation_log.writer import LogWriter


async def export_conversation(database: LogDatabase, bot: str, conversation_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row the log holds about a conversation, by table, oldest first, as JSON values."""
    exported: dict[str, list[dict[str, Any]]] = {}
    async with database.engine.connect() as connection:
        for table in EVENT_TABLES:
            query = select(table).where(table.bot == bot, table.conversation_id == conversation_id).order_by(table.id)
            exported[table.__tablename__] = [_json_row(table, row._mapping) for row in await connection.execute(query)]
    return exported


async def erase_conversation(
    database: LogDatabase, writer: LogWriter | None, bot: str, conversation_id: str, now: datetime | None = None
) -> int:
    """Delete a conversation's rows and its events still in this process's buffer; how many went.

    An erasure row is kept (the conversation id and when): the events other server processes
    still buffer from before it are deleted as they are written (``LogDatabase.insert``).
    """
    # A batch being written here finishes first: none of its rows lands after the erasure.
    async with writer.writing if writer is not None else asyncio.Lock():
        forgotten = writer.forget(conversation_id) if writer is not None else 0
        async with database.engine.begin() as connection:
            await database.take_turns(connection)
            for table in EVENT_TABLES:
                result = await connection.execute(
                    delete(table).where(table.bot == bot, table.conversation_id == conversation_id)
                )
                forgotten += result.rowcount
            await connection.execute(
                insert(ErasureRecord).values(at=now or datetime.now(UTC), bot=bot, conversation_id=conversation_id)
            )
    return forgotten


def _json_row(table: type[Base], mapping: Any) -> dict[str, Any]:
    row = {column.name: mapping[column.name] for column in table.__table__.columns}
    if isinstance(row["at"], datetime):
        at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)  # SQLite gives naive UTC
        row["at"] = at.isoformat()
    row["day"] = row["day"].isoformat()
    return row
