"""REST turns per second and latency with sessions in memory and in Redis, 1 and 2 processes.

Run from the repository root:  python -m bench.session_store_load [--turns 600 --users 16]

Each configuration serves the demo bot (intents/) from its own `causette serve` processes (and this
bench starts its own redis-server) on loopback, sends a bounded number of turns from concurrent simulated visitors, and stops them.
With two processes, memory sessions need each conversation pinned to one process (sticky), while
with Redis every turn goes to the next process in turn. Also printed: Redis round trips per turn,
counted by MONITOR (commands run inside scripts excluded), and the bytes a session takes in Redis
after 20 turns.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from dialogue.redis_store import session_keys
from nlu import load_bot, load_or_train
from tests.support import DEMO_BOT, RedisServer, ServerProcess

TEXTS = ("je voudrais louer un scooter", "pour aujourd'hui")  # the seed's conversation, over and over
TURNS_PER_SESSION = 20
WARM_UP_TURNS = 20
MONITORED_TURNS = 100
SENTINEL = "causette-bench-done"
PREFIX = "causette-bench"


@dataclass(frozen=True)
class LoadResult:
    """What one configuration did."""

    turns: int
    seconds: float
    latencies: list[float]

    def row(self, label: str) -> str:
        """One line of the results table."""
        p50 = statistics.median(self.latencies) * 1000
        p95 = statistics.quantiles(self.latencies, n=20)[-1] * 1000
        return f"{label:<26} {self.turns:>6} {self.turns / self.seconds:>9.1f} {p50:>8.1f} {p95:>8.1f}"


async def send_turns(urls: list[str], turns: int, users: int, sticky: bool, limit: float) -> LoadResult:
    """``turns`` REST turns from ``users`` concurrent visitors; stops early after ``limit`` seconds."""
    numbers = itertools.count()
    latencies: list[float] = []
    deadline = time.monotonic() + limit

    async def visitor(client: httpx.AsyncClient) -> None:
        session, turn = "", 0
        while (number := next(numbers)) < turns and time.monotonic() < deadline:
            if turn % TURNS_PER_SESSION == 0:
                session = uuid.uuid4().hex
            base = urls[hash(session) % len(urls)] if sticky else urls[number % len(urls)]
            started = time.perf_counter()
            reply = await client.post(f"{base}/api/v1/conversations/{session}/messages",
                                      json={"text": TEXTS[turn % 2]})
            reply.raise_for_status()
            latencies.append(time.perf_counter() - started)
            turn += 1

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=users * 2)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(visitor(client) for _ in range(users)))
        return LoadResult(len(latencies), time.perf_counter() - started, latencies)


def start_servers(model_dir: Path, count: int, env: dict[str, str]) -> list[ServerProcess]:
    """``count`` servers of the demo bot, started in parallel, ready to serve."""
    with ThreadPoolExecutor() as pool:
        return list(pool.map(lambda _: ServerProcess(DEMO_BOT, model_dir, env), range(count)))


def count_round_trips(redis: RedisServer, urls: list[str], users: int) -> float:
    """Redis commands sent by the servers per turn, over MONITORED_TURNS turns."""
    counted: list[int] = []
    listening = threading.Event()

    def monitor() -> None:
        with redis.client().monitor() as commands:
            listening.set()
            sent = 0
            for command in commands.listen():
                if SENTINEL in command["command"]:
                    break
                sent += command["client_type"] != "lua"
            counted.append(sent)

    watcher = threading.Thread(target=monitor)
    watcher.start()
    listening.wait(10)  # set once Redis has acknowledged MONITOR
    result = asyncio.run(send_turns(urls, MONITORED_TURNS, users, sticky=False, limit=60))
    redis.client().echo(SENTINEL)
    watcher.join(30)
    return counted[0] / result.turns


def session_bytes(redis: RedisServer, url: str) -> tuple[int, int]:
    """JSON length and Redis memory of one session after TURNS_PER_SESSION turns."""
    session = uuid.uuid4().hex
    for turn in range(TURNS_PER_SESSION):
        httpx.post(f"{url}/api/v1/conversations/{session}/messages",
                   json={"text": TEXTS[turn % 2]}, timeout=30).raise_for_status()
    key = session_keys(PREFIX, session)[1]
    client = redis.client()
    return client.strlen(key), client.memory_usage(key)


def measure(args: argparse.Namespace, model_dir: Path, redis: RedisServer, store: str, count: int) -> None:
    """Print one configuration's row; with Redis and two processes, the Redis figures too."""
    # Set both ways, so that the caller's own CAUSETTE_REDIS_URL cannot change a configuration.
    url = redis.url if store == "redis" else ""
    servers = start_servers(model_dir, count, {"CAUSETTE_REDIS_URL": url, "CAUSETTE_REDIS_PREFIX": PREFIX})
    try:
        urls = [server.url for server in servers]
        sticky = store == "memory"
        asyncio.run(send_turns(urls, WARM_UP_TURNS, 2, sticky, limit=60))
        result = asyncio.run(send_turns(urls, args.turns, args.users, sticky, args.seconds))
        print(result.row(f"{store}, {count}" + (" (sticky)" if sticky and count > 1 else "")), flush=True)
        if store == "redis" and count == 2:
            trips = count_round_trips(redis, urls, args.users)
            length, memory = session_bytes(redis, urls[0])
            print(f"\nRedis round trips per turn: {trips:.2f} (MONITOR, {MONITORED_TURNS} turns, "
                  f"{args.users} visitors, 2 processes)")
            print(f"One session after {TURNS_PER_SESSION} turns: {length} bytes of JSON (STRLEN), "
                  f"{memory} bytes in Redis (MEMORY USAGE)")
    finally:
        for server in servers:
            server.stop()


def run(args: argparse.Namespace, work: Path) -> None:
    """Every configuration in turn, on one trained model and one redis-server."""
    model_dir = work / "model"
    load_or_train(load_bot(DEMO_BOT), model_dir)
    redis = RedisServer(work / "redis")
    redis.start()
    print(f"{'store, processes':<26} {'turns':>6} {'turns/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    try:
        for store, count in [("memory", 1), ("redis", 1), ("memory", 2), ("redis", 2)]:
            measure(args, model_dir, redis, store, count)
    finally:
        redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600, help="turns per configuration")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated visitors")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per configuration")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="causette-bench-") as work:
        run(args, Path(work))


if __name__ == "__main__":
    main()
