"""REST turns per second and latency with sessions in memory and in Redis, 1 and 2 processes.

Run from the repository root:  python -m bench.session_store_load [--turns 300 --rounds 3 --users 16]

Two `causette serve` processes of the demo bot (intents/) with sessions in memory and two with
sessions in Redis (a redis-server of the bench's own) run on loopback. Concurrent simulated
visitors send a bounded number of turns to each configuration, round after round, configurations
interleaved so that a passing load on the machine falls on all of them; the figures pool the rounds.
With two processes, memory sessions need each conversation pinned to one process (sticky), while
with Redis every turn goes to the next process in turn. Also printed: Redis round trips per turn,
counted by MONITOR (commands run inside scripts excluded), and the bytes a session takes in Redis
after 20 turns. Everything stops at the end.
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

from bench.processes import API_KEY_HEADERS, REPO, RedisServer, ServerProcess
from bench.stats import percentile, table
from dialogue.redis_store import session_keys
from nlu import load_bot, load_or_train

DEMO_BOT = REPO / "intents"

TEXTS = ("je voudrais louer un scooter", "pour aujourd'hui")  # the seed's conversation, over and over
TURNS_PER_SESSION = 20
WARM_UP_TURNS = 20
MONITORED_TURNS = 100
SENTINEL = "causette-bench-done"
PREFIX = "causette-bench"


CONFIGURATIONS = [("memory", 1), ("redis", 1), ("memory", 2), ("redis", 2)]


@dataclass(frozen=True)
class LoadResult:
    """What one configuration did."""

    turns: int
    seconds: float
    latencies: list[float]

    def __add__(self, other: LoadResult) -> LoadResult:
        return LoadResult(self.turns + other.turns, self.seconds + other.seconds, self.latencies + other.latencies)

    def row(self, label: str) -> list[object]:
        """One line of the results table."""
        return [
            label,
            self.turns,
            f"{self.turns / self.seconds:.1f}",
            f"{statistics.median(self.latencies) * 1e3:.1f}",
            f"{percentile(self.latencies, 0.95) * 1e3:.1f}",
        ]


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
            reply = await client.post(f"{base}/api/v1/conversations/{session}/messages", json={"text": TEXTS[turn % 2]})
            reply.raise_for_status()
            latencies.append(time.perf_counter() - started)
            turn += 1

    async with httpx.AsyncClient(
        timeout=30, limits=httpx.Limits(max_connections=users * 2), headers=API_KEY_HEADERS
    ) as client:
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
        with redis.client().monitor() as commands:  # type: ignore[no-untyped-call]  # redis-py's Monitor is untyped
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
        httpx.post(
            f"{url}/api/v1/conversations/{session}/messages",
            json={"text": TEXTS[turn % 2]},
            timeout=30,
            headers=API_KEY_HEADERS,
        ).raise_for_status()
    key = session_keys(PREFIX, f"bench.{session}")[1]  # the API key's namespace
    client = redis.client()
    return client.strlen(key), client.memory_usage(key) or 0


def redis_figures(redis: RedisServer, urls: list[str], users: int) -> None:
    """Print the Redis round trips per turn and the size of a session after 20 turns."""
    trips = count_round_trips(redis, urls, users)
    length, memory = session_bytes(redis, urls[0])
    print(
        f"\nRedis round trips per turn: {trips:.2f} (MONITOR, {MONITORED_TURNS} turns, {users} visitors, 2 processes)"
    )
    print(
        f"One session after {TURNS_PER_SESSION} turns: {length} bytes of JSON (STRLEN), "
        f"{memory} bytes in Redis (MEMORY USAGE)"
    )


def run(args: argparse.Namespace, work: Path) -> None:
    """Every configuration, ``args.rounds`` times, on one trained model and one redis-server."""
    model_dir = work / "model"
    load_or_train(load_bot(DEMO_BOT), model_dir)
    redis = RedisServer(work / "redis")
    redis.start()
    servers: dict[str, list[ServerProcess]] = {}
    try:
        # Set both ways, so that the caller's own CAUSETTE_REDIS_URL cannot change a configuration.
        for store, url in (("memory", ""), ("redis", redis.url)):
            servers[store] = start_servers(model_dir, 2, {"CAUSETTE_REDIS_URL": url, "CAUSETTE_REDIS_PREFIX": PREFIX})
        urls = {(store, count): [server.url for server in servers[store][:count]] for store, count in CONFIGURATIONS}
        for (store, _), targets in urls.items():
            asyncio.run(send_turns(targets, WARM_UP_TURNS, 2, store == "memory", limit=60))
        totals = {configuration: LoadResult(0, 0.0, []) for configuration in CONFIGURATIONS}
        for _ in range(args.rounds):
            for store, count in CONFIGURATIONS:
                totals[store, count] += asyncio.run(
                    send_turns(urls[store, count], args.turns, args.users, store == "memory", args.seconds)
                )
        print(
            table(
                ["sessions, processes", "turns", "turns/s", "p50 ms", "p95 ms"],
                [
                    total.row(f"{store}, {count}" + (" (sticky)" if store == "memory" and count > 1 else ""))
                    for (store, count), total in totals.items()
                ],
            )
        )
        redis_figures(redis, urls["redis", 2], args.users)
    finally:
        for server in (server for group in servers.values() for server in group):
            server.stop()
        redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="turns per configuration and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all configurations")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated visitors")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per configuration and round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="causette-bench-") as work:
        run(args, Path(work))


if __name__ == "__main__":
    main()
