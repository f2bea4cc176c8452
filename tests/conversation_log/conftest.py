"""The conversation log's databases for the tests: a SQLite file, and a real PostgreSQL server.

``log_url`` runs a test once per database: on a fresh SQLite file, then in a fresh database of the
PostgreSQL server on 127.0.0.1:5432 when one answers, else of a private server started for the run.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support import PostgresServer, postgres_answers

SHARED_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server's URL: the one on port 5432 if it answers, else a private one."""
    if postgres_answers():
        yield SHARED_POSTGRES
        return
    server = PostgresServer()
    server.start()
    yield server.url
    server.remove()


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server (dropped afterwards); its URL."""
    name = f"causette_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def log_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty log database, once SQLite and once PostgreSQL: the same test passes on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.sqlite3'}"
        return
    yield from fresh_database(request.getfixturevalue("postgres_url"))
