"""Where the log is kept: the URL, the async engine, the migrations, and idempotent batch inserts.

SQLite (a file in the bot folder, through aiosqlite) is the embedded default; a PostgreSQL URL
(``postgresql://...``, through asyncpg) serves several processes and large logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import delete, event, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from conversation_log.models import ErasureRecord, EventTable

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"
LOG_FILE = "log.sqlite3"  # in the bot's data folder, BOT_DIR/.causette/
ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
# Two processes migrating one PostgreSQL at once take turns on this advisory lock.
MIGRATION_LOCK = 7_141_420_514
WRITE_LOCK = 7_141_420_515  # writers of events and erasures take turns on it (PostgreSQL)
SQLITE_BUSY_SECONDS = 30  # a writer waits this long for another process's write to end


def async_url(url: str) -> URL:
    """``url`` with its async driver: ``postgresql://`` becomes ``postgresql+asyncpg://``."""
    parsed = make_url(url)
    driver = ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None and parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"the conversation log needs SQLite or PostgreSQL, not {parsed.drivername!r}")
    return parsed.set(drivername=driver) if driver else parsed


def default_url(data_dir: Path) -> str:
    """The embedded default: a SQLite file in the bot's data folder."""
    return f"sqlite:///{(data_dir / LOG_FILE).resolve()}"


def describe(url: str) -> str:
    """The URL without its password, for logs."""
    return async_url(url).render_as_string(hide_password=True)


class LogDatabase:
    """An async engine on the log's database and the operations every part of the log shares."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite":
            if self.url.database:
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            # pre_ping: after a database restart, pooled connections are dead; they are replaced.
            self.engine = create_async_engine(
                self.url, pool_pre_ping=True, connect_args={"timeout": 5, "command_timeout": 30}
            )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` with Alembic (``head``: this version's schema)."""
        async with self.engine.begin() as connection:
            if self.backend == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            await connection.run_sync(_alembic_upgrade, revision)

    async def insert(self, tables: Mapping[type[EventTable], Sequence[dict[str, Any]]]) -> None:
        """Insert each table's rows in one transaction.

        A row whose ``event_id`` is already there is skipped (a batch retried after a lost reply);
        rows of a conversation erased after they happened are deleted before the commit (another
        process held them in its buffer during the erasure). Writers and erasures take turns.
        """
        dialect_insert = postgresql.insert if self.backend == "postgresql" else sqlite.insert
        async with self.engine.begin() as connection:
            await self.take_turns(connection)
            for table, rows in tables.items():
                statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["event_id"])
                await connection.execute(statement, list(rows))
                erased = select(ErasureRecord.id).where(
                    ErasureRecord.bot == table.bot,
                    ErasureRecord.conversation_id == table.conversation_id,
                    ErasureRecord.at >= table.at,
                )
                written = [row["event_id"] for row in rows]
                await connection.execute(delete(table).where(table.event_id.in_(written), erased.exists()))

    async def take_turns(self, connection: AsyncConnection) -> None:
        """Serialise the transactions that write events and erasures (SQLite's own lock does it)."""
        if self.backend == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})

    async def dispose(self) -> None:
        """Close the pooled connections."""
        await self.engine.dispose()


def _alembic_upgrade(connection: Connection, revision: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL: the server writes while `causette stats` or an export reads, neither waiting.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
