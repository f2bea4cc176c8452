"""REST turns per second with the conversation log on (SQLite; PostgreSQL) against the log off,
in the same run, and the bytes the log stores per turn.

    python -m bench.conversation_log [--client wrk|httpx] [--seconds 15] [--rounds 2]

Each configuration is a separate ``causette serve`` process of the demo bot, measured in turn,
``--rounds`` times interleaved (off, SQLite, PostgreSQL, off, ...) so that a noisy neighbour on a
shared machine weighs on all three; the best rate of each is kept. PostgreSQL is the server on
127.0.0.1:5432 when one answers (a fresh database, dropped afterwards), else a private one.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from bench.processes import PostgresServer, postgres_answers
from bench.rest_throughput import measure, measure_wrk, start
from bench.stats import table

SHARED_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _postgres(url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the shared server if it answers, else on a private server."""
    server = None
    if postgres_answers():
        root = SHARED_POSTGRES
    else:
        server = PostgresServer()
        server.start()
        root = server.url
    name = f"causette_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_postgres(root, f'CREATE DATABASE "{name}"'))
    try:
        yield root.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_postgres(root, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if server is not None:
            server.remove()


def sqlite_bytes_per_turn(path: Path) -> tuple[int, float]:
    """Turns stored and bytes per turn (the file and its write-ahead log) of a SQLite log."""
    size = sum(file.stat().st_size for file in path.parent.glob(path.name + "*"))
    with sqlite3.connect(path) as connection:
        turns = connection.execute("SELECT count(*) FROM turns").fetchone()[0]
    return turns, size / max(turns, 1)


def postgres_bytes_per_turn(url: str) -> tuple[int, float]:
    """Turns stored and bytes per turn (table, indexes and TOAST) of a PostgreSQL log."""
    [row] = asyncio.run(_postgres(url, "SELECT count(*) AS turns, pg_total_relation_size('turns') AS size FROM turns"))
    return row["turns"], row["size"] / max(row["turns"], 1)


def main() -> None:
    """Measure the three configurations and print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="turns per measure (httpx client)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15, help="wrk run length per measure")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    args = parser.parse_args()
    run: Callable[[str, str, argparse.Namespace], list[object]] = measure_wrk if args.client == "wrk" else measure
    print(f"client: {args.client}, {args.concurrency} concurrent conversations, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder, postgres_database() as postgres_url:
        sqlite_path = Path(folder) / "log.sqlite3"
        configurations = {
            "log off": {"CAUSETTE_CONVERSATION_LOG": "false"},
            "log on, SQLite": {"CAUSETTE_DATABASE_URL": f"sqlite:///{sqlite_path}"},
            "log on, PostgreSQL": {"CAUSETTE_DATABASE_URL": postgres_url},
        }
        command = [sys.executable, "-m", "channels.cli", "serve", "intents", "--model-dir", f"{folder}/model"]
        best: dict[str, list[object]] = {}
        for _ in range(args.rounds):
            for name, env in configurations.items():
                process, url = start([*command, "--log-level", "warning"], env)
                try:
                    row = run(name, url, args)
                finally:
                    process.terminate()  # a graceful stop: the log's buffer is written first
                    process.wait()
                if name not in best or float(str(row[1])) > float(str(best[name][1])):
                    best[name] = row
        sqlite_turns, sqlite_bytes = sqlite_bytes_per_turn(sqlite_path)
        postgres_turns, postgres_bytes = postgres_bytes_per_turn(postgres_url)
    print(table(["server", "req/s", "median ms", "p95 ms", "errors"], list(best.values())))
    off = float(str(best["log off"][1]))
    for name in ("log on, SQLite", "log on, PostgreSQL"):
        print(f"{name} / log off: {float(str(best[name][1])) / off:.1%}")
    print(f"SQLite: {sqlite_turns} turns stored, {sqlite_bytes:.0f} bytes per turn")
    print(f"PostgreSQL: {postgres_turns} turns stored, {postgres_bytes:.0f} bytes per turn")


if __name__ == "__main__":
    main()
