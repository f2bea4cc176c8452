"""A turn costs the same whatever the length of its conversation: the store reads and writes the
session's state, never its history (issue 16). Measured in bytes, through the memory store and
through a real Redis behind a byte-counting proxy (bench.turn_bytes prints the same figures)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.turn_bytes import CountingProxy, demo_engine, turn_costs
from dialogue import MemoryStore, RedisStore
from nlu import Model
from tests.support import RedisServer

SHORT, LONG = 2, 200  # turns before the measured one
# The state's own figures grow by a few characters (the turn counter, timestamps); the history of
# 200 turns is tens of kilobytes.
SLACK_BYTES = 16


async def test_a_long_conversation_costs_a_turn_no_more_bytes_in_memory(demo_model_dir: Path) -> None:
    store = MemoryStore(3600)
    engine = demo_engine(Model.load(demo_model_dir), store, LONG)
    short, long = await turn_costs(engine, lambda: store.traffic.read + store.traffic.written, SHORT, LONG)
    assert short > 0 and abs(long - short) <= SLACK_BYTES, (short, long)
    history = await engine.history(f"s-{LONG}")
    assert history is not None and len(history) >= 2 * LONG, "the long conversation keeps its history"


@pytest.fixture
async def proxied_redis(redis_server: RedisServer) -> AsyncIterator[tuple[RedisStore, CountingProxy]]:
    proxy = CountingProxy(redis_server.port)
    port = await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{port}/0", 3600, prefix=f"test-{uuid.uuid4().hex}")
    yield store, proxy
    await store.close()
    await proxy.stop()


async def test_a_long_conversation_costs_a_turn_no_more_bytes_in_redis(
    demo_model_dir: Path, proxied_redis: tuple[RedisStore, CountingProxy]
) -> None:
    store, proxy = proxied_redis
    engine = demo_engine(Model.load(demo_model_dir), store, LONG)
    short, long = await turn_costs(engine, lambda: proxy.total, SHORT, LONG)
    assert short > 0 and abs(long - short) <= SLACK_BYTES, (short, long)
    # The history is all there, ends with the measured turn, and goes with the conversation.
    history = await engine.history(f"s-{LONG}")
    assert history is not None and len(history) >= 2 * LONG
    assert history[-2].role == "user" and history[-2].text == "c'est combien ?"
    await store.delete(f"s-{LONG}")
    assert await engine.history(f"s-{LONG}") is None
