"""Bytes a session store moves for one turn, in a conversation of 2 turns and in one of 200.

    python -m bench.turn_bytes [--model-dir DIR] [--long 200]

The demo bot answers the same message in both conversations (same state, same reply); the memory
store counts the state it decodes and encodes, and a real redis-server (started here) is reached
through a byte-counting proxy on loopback. A turn that read and wrote the whole history would cost
tens of kilobytes more in the long conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.processes import REPO, RedisServer
from bench.stats import table
from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore, RedisStore
from nlu import Model, load_bot, load_or_train

DEMO_BOT = REPO / "intents"
# A two-turn exchange, repeated: after 2 or 200 turns the conversation is in the same state.
TURNS = ["je voudrais louer un scooter", "pour aujourd'hui"]
MEASURED = "c'est combien ?"


class CountingProxy:
    """A TCP proxy on loopback that counts the bytes each way between its clients and a port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = 0  # client -> target
        self.received = 0  # target -> client
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.connections: list[asyncio.Task[object]] = []

    @property
    def total(self) -> int:
        """Bytes both ways so far."""
        return self.sent + self.received

    async def start(self) -> int:
        """Listen on a free loopback port; that port."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [writer, upstream_writer]
        current = asyncio.current_task()
        if current is not None:
            self.connections.append(current)
        await asyncio.gather(
            self._pipe(reader, upstream_writer, upward=True), self._pipe(upstream_reader, writer, upward=False)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upward: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                if upward:
                    self.sent += len(chunk)
                else:
                    self.received += len(chunk)
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        """Close every connection (its pipes read the end of the stream and return), then stop listening."""
        for writer in self.writers:
            writer.close()
        await asyncio.gather(*self.connections, return_exceptions=True)
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def demo_engine(model: Model, store: MemoryStore | RedisStore, long: int) -> DialogueEngine:
    """The demo bot, keeping every message of a conversation of ``long`` turns."""
    bot = load_bot(DEMO_BOT)
    bot.config.history_limit = 4 * (long + 1)
    return DialogueEngine(BrainHolder(Brain(bot, model)), store, rng=random.Random(0))


async def turn_costs(engine: DialogueEngine, counter: Callable[[], int], short: int, long: int) -> tuple[int, int]:
    """Bytes ``counter()`` grows by for the same turn after ``short`` and after ``long`` turns."""
    for session_id, turns in ((f"s-{short:03d}", short), (f"s-{long:03d}", long)):
        for number in range(turns):
            await engine.handle(session_id, TURNS[number % len(TURNS)])
    costs = []
    for session_id in (f"s-{short:03d}", f"s-{long:03d}"):
        engine.rng = random.Random(0)  # the same reply, of the same length, in both
        before = counter()
        await engine.handle(session_id, MEASURED)
        costs.append(counter() - before)
    return costs[0], costs[1]


async def measure(model: Model, short: int, long: int, workdir: Path) -> list[list[object]]:
    """One table row per store."""
    memory = MemoryStore(3600)
    in_memory = await turn_costs(
        demo_engine(model, memory, long), lambda: memory.traffic.read + memory.traffic.written, short, long
    )
    redis_server = RedisServer(workdir / "redis")
    redis_server.start()
    proxy = CountingProxy(redis_server.port)
    try:
        store = RedisStore.from_url(f"redis://127.0.0.1:{await proxy.start()}/0", 3600)
        in_redis = await turn_costs(demo_engine(model, store, long), lambda: proxy.total, short, long)
        await store.close()
    finally:
        await proxy.stop()
        redis_server.stop()
    return [["memory (state decoded + encoded)", *in_memory], ["Redis (bytes on the wire)", *in_redis]]


def main() -> None:
    """Print bytes per turn for both stores."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None, help="a trained demo model (default: train one)")
    parser.add_argument("--short", type=int, default=2)
    parser.add_argument("--long", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        model_dir = args.model_dir or Path(workdir) / "model"
        load_or_train(load_bot(DEMO_BOT), model_dir)
        rows = asyncio.run(measure(Model.load(model_dir), args.short, args.long, Path(workdir)))
    print(table(["store", f"bytes, turn after {args.short}", f"bytes, turn after {args.long}"], rows))


if __name__ == "__main__":
    main()
