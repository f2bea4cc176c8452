"""Alembic's entry point for the conversation log.

The server passes its own connection (``config.attributes["connection"]``); the ``alembic``
command line gives a URL with ``-x url=...`` instead.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from conversation_log.database import async_url
from conversation_log.models import Base


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite alters a table by copying it, which batch mode does for us.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Upgrade (or downgrade) through the connection given, else one made from ``-x url=``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database: alembic -c conversation_log/alembic.ini -x url=... upgrade head")
    asyncio.run(_run_on(url))


async def _run_on(url: str) -> None:
    """The same drivers as the server's (aiosqlite, asyncpg): ``postgresql://`` works as given."""
    engine = create_async_engine(async_url(url))
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


run_migrations()
