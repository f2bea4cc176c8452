"""A turn costs the same whatever the length of its conversation: the store reads and writes the
session's state, never its history (issue 16). Measured in bytes, through the memory store and
through a real Redis behind a byte-counting proxy."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore, RedisStore
from nlu import Model, load_bot
from tests.support import DEMO_BOT, RedisServer

# A two-turn exchange, repeated: after 2 or 200 turns the conversation is in the same state.
TURNS = ["je voudrais louer un scooter", "pour aujourd'hui"]
MEASURED = "c'est combien ?"
SHORT, LONG = 2, 200  # turns of history before the measured turn
# The state's own figures grow by a few characters (the turn counter, timestamps); the history of
# 200 turns is tens of kilobytes.
SLACK_BYTES = 16


class CountingProxy:
    """A TCP proxy to Redis on loopback that counts the bytes each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = 0  # client -> Redis
        self.received = 0  # Redis -> client
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    @property
    def total(self) -> int:
        return self.sent + self.received

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [writer, upstream_writer]
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
        for writer in self.writers:  # the pipes see their end of stream and return
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def demo_engine(demo_model_dir: Path, store: MemoryStore | RedisStore) -> DialogueEngine:
    bot = load_bot(DEMO_BOT)
    bot.config.history_limit = 2 * (LONG + 1) * 2  # every message of the long conversation is kept
    return DialogueEngine(BrainHolder(Brain(bot, Model.load(demo_model_dir))), store, rng=random.Random(0))


async def converse(engine: DialogueEngine, session_id: str, turns: int) -> None:
    for number in range(turns):
        await engine.handle(session_id, TURNS[number % len(TURNS)])


async def turn_costs(engine: DialogueEngine, counter: Callable[[], int]) -> tuple[int, int]:
    """Bytes the store moves for the same turn in a conversation of SHORT and one of LONG turns."""
    await converse(engine, "s-002", SHORT)
    await converse(engine, "s-200", LONG)
    history = await engine.history("s-200")
    assert history is not None and len(history) >= 2 * LONG, "the long conversation keeps its history"
    costs = []
    for session_id in ("s-002", "s-200"):
        engine.rng = random.Random(0)  # the same reply, of the same length, in both
        before = counter()
        await engine.handle(session_id, MEASURED)
        costs.append(counter() - before)
    return costs[0], costs[1]


async def test_a_long_conversation_costs_a_turn_no_more_bytes_in_memory(demo_model_dir: Path) -> None:
    store = MemoryStore(3600)
    engine = demo_engine(demo_model_dir, store)
    short, long = await turn_costs(engine, lambda: store.traffic.read + store.traffic.written)
    assert short > 0 and abs(long - short) <= SLACK_BYTES, (short, long)


@pytest.fixture
async def proxied_redis(redis_server: RedisServer) -> AsyncIterator[tuple[RedisStore, CountingProxy]]:
    proxy = CountingProxy(int(redis_server.url.rsplit(":", 1)[1].split("/")[0]))
    port = await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{port}/0", 3600, prefix=f"test-{uuid.uuid4().hex}")
    yield store, proxy
    await store.close()
    await proxy.stop()


async def test_a_long_conversation_costs_a_turn_no_more_bytes_in_redis(
    demo_model_dir: Path, proxied_redis: tuple[RedisStore, CountingProxy]
) -> None:
    store, proxy = proxied_redis
    engine = demo_engine(demo_model_dir, store)
    short, long = await turn_costs(engine, lambda: proxy.total)
    assert short > 0 and abs(long - short) <= SLACK_BYTES, (short, long)
    # The history is still all there, and still goes with the conversation.
    history = await engine.history("s-200")
    assert history is not None and history[-2].text == MEASURED
    await store.delete("s-200")
    assert await engine.history("s-200") is None
