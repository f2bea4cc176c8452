"""REST turns per second with the conversation log on (SQLite; PostgreSQL) against the log off,
in the same run, and the bytes the log stores per turn.

    python -m bench.conversation_log [--seconds 15] [--rounds 2]

Each configuration is a separate ``causette serve`` process of the demo bot loaded by wrk (one
thread, 16 conversations), measured in turn, ``--rounds`` times interleaved (off, SQLite,
PostgreSQL, off, ...) so that a noisy neighbour on a shared machine weighs on all three; the best
rate of each is kept. Beside the rate, the server process's CPU time per turn (user + system,
from /proc): on a busy machine the rate follows the neighbours, the CPU per turn much less, so
its ratio is the steadier estimate of what the log costs. PostgreSQL is the server on
127.0.0.1:5432 when one answers (a fresh database, dropped afterwards), else a private one; its
own CPU is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from bench.processes import BENCH_API_KEY, DEMO_TURNS, REPO, PostgresServer, postgres_answers
from bench.rest_throughput import start
from bench.stats import table
from conversation_log import ConversationLog, LogOptions
from dialogue import DialogueEngine
from nlu import Model, load_bot

WRK_SCRIPT = Path(__file__).with_name("wrk_turns.lua")

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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, url: str, pid: int, seconds: int) -> list[object]:
    """Warm up, then load one server with wrk for ``seconds``; its rate, latency and CPU per turn."""
    command = ["wrk", "-t1", "-c16", "-H", f"Authorization: Bearer {BENCH_API_KEY}", "-s", str(WRK_SCRIPT)]
    subprocess.run([*command, "-d2s", url], capture_output=True, check=True)
    before = cpu_seconds(pid)
    output = subprocess.run([*command, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - before
    requests, micros, errors, median_ms, p95_ms = next(
        line.split()[1:] for line in output.splitlines() if line.startswith("WRK ")
    )
    rate = int(requests) / (int(micros) / 1e6)
    cpu_ms = cpu * 1e3 / int(requests)
    print(f"{name}: {rate:.0f} req/s, median {float(median_ms):.2f} ms, {cpu_ms:.2f} CPU ms/turn, {errors} errors")
    return [name, f"{rate:.0f}", f"{float(median_ms):.2f}", f"{float(p95_ms):.2f}", f"{cpu_ms:.2f}", errors]


async def _turns_cpu(engine: DialogueEngine, log: ConversationLog | None, turns: int) -> float:
    """CPU seconds this process spends answering ``turns`` turns, and writing them when ``log``."""
    engine.recorder = log.writer if log else None
    started = time.process_time()
    for number in range(turns):
        await engine.handle(f"bench-{number % 16}", DEMO_TURNS[number % len(DEMO_TURNS)])
        await asyncio.sleep(0)  # as a server does between requests: the writer drains as it goes
    if log is not None:
        await log.writer.flushed()
    return time.process_time() - started


def log_cpu_per_turn(model_dir: Path, url: str, turns: int, repeats: int = 3) -> tuple[float, float]:
    """CPU ms per turn of the engine alone, and what recording adds, in this process (aiosqlite's
    thread included, the database server not): turns with the log off and on, interleaved, the
    fastest of ``repeats`` kept."""
    bot = load_bot(REPO / "intents")
    engine = DialogueEngine.in_memory(bot, Model.load(model_dir))
    gc.collect()
    gc.freeze()  # as the server does once its model is loaded

    async def measure() -> tuple[float, float]:
        log = ConversationLog(bot.config.name, bot.config.privacy, LogOptions(url=url))
        await log.start()
        await _turns_cpu(engine, None, 200)  # warm-up
        off, on = [], []
        for _ in range(repeats):
            off.append(await _turns_cpu(engine, None, turns))
            on.append(await _turns_cpu(engine, log, turns))
        await log.close()
        return min(off) * 1e3 / turns, (min(on) - min(off)) * 1e3 / turns

    return asyncio.run(measure())


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
    parser.add_argument("--seconds", type=int, default=15, help="wrk run length per measure")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--turns", type=int, default=3000, help="engine turns per in-process measure")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench.conversation_log needs wrk (Debian package wrk)")
    print(f"wrk, 16 concurrent conversations, {args.seconds} s per measure, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder, postgres_database() as postgres_url:
        sqlite_path = Path(folder) / "log.sqlite3"
        configurations = {
            "log off": {"CAUSETTE_CONVERSATION_LOG": "false"},
            "log on, SQLite": {"CAUSETTE_DATABASE_URL": f"sqlite:///{sqlite_path}"},
            "log on, PostgreSQL": {"CAUSETTE_DATABASE_URL": postgres_url},
        }
        command = [sys.executable, "-m", "channels.cli", "serve", "intents", "--model-dir", f"{folder}/model"]
        rows: dict[str, list[list[object]]] = {name: [] for name in configurations}
        for _ in range(args.rounds):
            for name, env in configurations.items():
                process, url = start([*command, "--log-level", "warning"], env)
                try:
                    rows[name].append(measure(name, url, process.pid, args.seconds))
                finally:
                    process.terminate()  # a graceful stop: the log's buffer is written first
                    process.wait()
        sqlite_turns, sqlite_bytes = sqlite_bytes_per_turn(sqlite_path)
        postgres_turns, postgres_bytes = postgres_bytes_per_turn(postgres_url)
        in_process = {
            name: log_cpu_per_turn(Path(folder) / "model", url, args.turns)
            for name, url in (("SQLite", f"sqlite:///{folder}/in_process.sqlite3"), ("PostgreSQL", postgres_url))
        }
    best = {name: max(measures, key=lambda row: float(str(row[1]))) for name, measures in rows.items()}
    cpu = {name: min(float(str(row[4])) for row in measures) for name, measures in rows.items()}
    print(table(["server", "req/s", "median ms", "p95 ms", "CPU ms/turn", "errors"], list(best.values())))
    off_rate = float(str(best["log off"][1]))
    for name in ("log on, SQLite", "log on, PostgreSQL"):
        rate = float(str(best[name][1])) / off_rate
        print(f"{name} / log off: {rate:.1%} of the rate, {cpu['log off'] / cpu[name]:.1%} by CPU per turn")
    rest_cpu = cpu["log off"]
    print(f"In process, {args.turns} engine turns, log off then on, the fastest of 3:")
    for name, (engine_ms, log_ms) in in_process.items():
        print(
            f"  {name}: the engine {engine_ms:.3f} CPU ms/turn, the log adds {log_ms:.3f}; "
            f"over a REST turn ({rest_cpu:.2f} ms): {rest_cpu / (rest_cpu + log_ms):.1%} of the log-off rate"
        )
    print(f"SQLite: {sqlite_turns} turns stored, {sqlite_bytes:.0f} bytes per turn")
    print(f"PostgreSQL: {postgres_turns} turns stored, {postgres_bytes:.0f} bytes per turn")


if __name__ == "__main__":
    main()
