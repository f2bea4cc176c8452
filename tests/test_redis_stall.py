"""A Redis stall: the turns whose callers gave up during it take no lock once Redis thaws, and the
conversation they were for serves again at once (it stayed blocked for the lock's lifetime)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dialogue import RedisStore, StoreUnavailable
from dialogue.redis_store import session_keys
from tests.support import API_KEY_HEADERS, MINI_BOT, RedisServer, ServerProcess

pytestmark = pytest.mark.e2e  # a redis-server of the test's own, frozen with SIGSTOP

TTL = 600.0
STALLED_TURNS = 6


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis this test may freeze without disturbing the others."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def thawed(server: RedisServer) -> None:
    """Resume a frozen Redis and wait until it has run what it received while frozen: a new
    connection's command is read after the data already waiting on the others."""
    server.resume()
    assert server.client().ping()


async def add_turn(store: RedisStore, session_id: str) -> None:
    async with store.transaction(session_id) as session:
        session.turns += 1


async def test_turns_sent_during_a_stall_take_no_lock_when_redis_thaws(own_redis: RedisServer) -> None:
    # A lock outlives the wait by far: one taken for a turn that gave up would block the next turn.
    store = RedisStore.from_url(
        own_redis.url, TTL, prefix=f"stall-{uuid.uuid4().hex}", timeout_seconds=0.3, lock_seconds=5, wait_seconds=1
    )
    await add_turn(store, "busy")
    lock_key = store.keys("busy")[0]
    own_redis.pause()
    try:
        for _ in range(2):  # turns one after the other, then several at once
            with pytest.raises(StoreUnavailable):
                await add_turn(store, "busy")
        results = await asyncio.gather(*(add_turn(store, "busy") for _ in range(STALLED_TURNS)), return_exceptions=True)
        assert all(isinstance(result, StoreUnavailable) for result in results)
    finally:
        thawed(own_redis)
    assert own_redis.client().exists(lock_key) == 0
    await add_turn(store, "busy")  # at once: its wait (1 s) is far shorter than a stale lock (5 s)
    stored = await store.get("busy")
    assert stored is not None and stored.turns == 2
    await store.close()


async def test_a_store_whose_clock_disagrees_with_redis_learns_the_offset(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, TTL, prefix=f"skew-{uuid.uuid4().hex}", timeout_seconds=0.3)
    store._redis_clock_ahead_ms = -60_000  # as if this machine's clock were a minute ahead of Redis's
    lock_key, session_key, _ = store.keys("s1")
    async with store.transaction("s1") as session:  # refused as late once, then taken
        session.turns += 1
    assert store._redis_clock_ahead_ms > -1000
    client = own_redis.client()
    assert client.exists(session_key) == 1 and client.exists(lock_key) == 0
    await store.close()


@pytest.fixture
def stalled_server(own_redis: RedisServer, mini_model_dir: Path) -> Iterator[ServerProcess]:
    """The mini bot served by a real process on the test's own Redis, with the default lock times."""
    env = {
        "CAUSETTE_REDIS_URL": own_redis.url,
        "CAUSETTE_REDIS_PREFIX": "stall",
        "CAUSETTE_REDIS_TIMEOUT_SECONDS": "0.3",
        "CAUSETTE_RATE_LIMITS": "off",
    }
    server = ServerProcess(MINI_BOT, mini_model_dir, env=env)
    yield server
    server.stop()


async def test_a_busy_conversation_serves_again_when_redis_thaws(
    own_redis: RedisServer, stalled_server: ServerProcess
) -> None:
    lock_key, session_key, _ = session_keys("stall", "bench.busy")  # the tests' API key's namespace
    async with httpx.AsyncClient(
        headers=API_KEY_HEADERS, base_url=f"{stalled_server.url}/api/v1", timeout=30
    ) as client:
        assert (await client.post("/conversations/busy/messages", json={"text": "bonjour"})).status_code == 200
        own_redis.pause()
        try:
            turns = [
                client.post("/conversations/busy/messages", json={"text": "bonjour"}) for _ in range(STALLED_TURNS)
            ]
            statuses = [reply.status_code for reply in await asyncio.gather(*turns)]
            assert statuses == [503] * STALLED_TURNS
        finally:
            thawed(own_redis)
        assert own_redis.client().exists(session_key) == 1
        assert own_redis.client().exists(lock_key) == 0  # on main: held for 5 s by a turn that gave up
        assert (await client.post("/conversations/busy/messages", json={"text": "bonjour"})).status_code == 200
        history = (await client.get("/conversations/busy")).json()["history"]
        assert [entry["role"] for entry in history].count("user") == 2  # the stalled turns were not applied


async def test_a_cancelled_turn_stops_waiting_and_takes_no_lock_afterwards(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, TTL, prefix=f"cancel-{uuid.uuid4().hex}", wait_seconds=5)
    lock_key = store.keys("s1")[0]
    inside, finish = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with store.transaction("s1") as session:
            inside.set()
            await finish.wait()
            session.turns += 1

    holding = asyncio.create_task(holder())
    await inside.wait()
    waiting = asyncio.create_task(add_turn(store, "s1"))
    await asyncio.sleep(0.05)  # it is retrying the busy lock
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    finish.set()
    await holding
    assert own_redis.client().exists(lock_key) == 0
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 1
    await store.close()
