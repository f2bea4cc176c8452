"""What only the Redis store has: keys with a TTL, a lock between processes, and Redis faults."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from dialogue import RedisStore, SlotValue, StoreUnavailable
from tests.support import RedisServer, wait_until

pytestmark = pytest.mark.e2e  # a real redis-server

TTL = 600.0


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[RedisStore]:
    store = RedisStore.from_url(
        redis_server.url, TTL, prefix=f"test-{uuid.uuid4().hex}", lock_seconds=30, wait_seconds=10
    )
    yield store
    await store.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis this test may stop, freeze and restart without disturbing the others."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def store_on(server: RedisServer) -> RedisStore:
    """A store with short timeouts, so that faults show quickly."""
    return RedisStore.from_url(
        server.url, TTL, prefix="faults", timeout_seconds=0.3, lock_seconds=1.0, wait_seconds=3.0
    )


async def add_turn(store: RedisStore, session_id: str = "s1") -> None:
    async with store.transaction(session_id) as session:
        session.turns += 1


async def test_a_turn_refreshes_the_key_ttl_and_frees_the_lock(store: RedisStore, redis_server: RedisServer) -> None:
    await add_turn(store)
    lock_key, session_key, _ = store.keys("s1")
    client = redis_server.client()
    assert 0 < client.pttl(session_key) <= TTL * 1000
    client.pexpire(session_key, 50_000)
    await add_turn(store)
    assert client.pttl(session_key) > 50_000
    assert not client.exists(lock_key)


async def test_redis_drops_an_expired_session(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(redis_server.url, 0.2, prefix=f"test-{uuid.uuid4().hex}")
    await add_turn(store)
    wait_until(
        lambda: not redis_server.client().exists(store.keys("s1")[1]), timeout=10, what="the session key's expiry"
    )
    await store.close()


async def test_keys_of_a_session_share_one_cluster_slot(store: RedisStore) -> None:
    assert all(key.endswith("{visitor-42}") for key in store.keys("visitor-42"))


async def test_a_lock_left_by_a_crashed_process_delays_and_does_not_block(
    store: RedisStore, redis_server: RedisServer
) -> None:
    lock_key = store.keys("s1")[0]
    redis_server.client().set(lock_key, "a-process-that-died", px=300)
    await add_turn(store)
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 1


async def test_a_session_held_too_long_is_reported_busy(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(
        redis_server.url, TTL, prefix=f"test-{uuid.uuid4().hex}", lock_seconds=0.5, wait_seconds=0.2
    )
    redis_server.client().set(store.keys("s1")[0], "another-turn", px=60_000)
    with pytest.raises(StoreUnavailable, match="busy"):
        async with store.transaction("s1"):
            pytest.fail("the turn must not run without the lock")
    await store.close()


def by(turn: str) -> SlotValue:
    """A slot value saying which turn wrote it."""
    return SlotValue(entity="turn", raw_value=turn, value={"kind": "Custom", "value": turn}, text=turn)


async def test_a_turn_that_outlived_its_lock_is_refused_and_the_newer_turn_kept(
    redis_server: RedisServer,
) -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    slow = RedisStore.from_url(redis_server.url, TTL, prefix=prefix, lock_seconds=0.3, wait_seconds=5)
    fast = RedisStore.from_url(redis_server.url, TTL, prefix=prefix, lock_seconds=5, wait_seconds=10)
    with pytest.raises(StoreUnavailable, match="outlived"):
        async with slow.transaction("s1") as session:
            session.slots["by"] = by("slow")
            wait_until(
                lambda: not redis_server.client().exists(slow.keys("s1")[0]),
                timeout=10,
                what="the slow turn's lock expiry",
            )
            async with fast.transaction("s1") as newer:
                newer.slots["by"] = by("fast")
    stored = await fast.get("s1")
    assert stored is not None and stored.slots == {"by": by("fast")}
    await slow.close()
    await fast.close()


async def test_redis_down_gives_store_unavailable_then_recovers(own_redis: RedisServer) -> None:
    store = store_on(own_redis)
    await add_turn(store)
    own_redis.stop(save=True)
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        async with store.transaction("s1"):
            pytest.fail("no turn without Redis")
    own_redis.start()  # same port, same data
    await store.ping()  # the same client reconnects by itself
    await add_turn(store)
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 2
    await store.close()


async def test_a_frozen_redis_times_out_and_the_session_continues_after(own_redis: RedisServer) -> None:
    store = store_on(own_redis)
    await add_turn(store)
    own_redis.pause()
    try:
        with pytest.raises(StoreUnavailable, match="Timeout"):
            await store.ping()
        with pytest.raises(StoreUnavailable):
            await add_turn(store)
    finally:
        own_redis.resume()
    # The refused turn takes no lock once Redis thaws: its request is void past its deadline.
    await add_turn(store)
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 2
    await store.close()


async def test_redis_lost_while_saving_leaves_the_previous_turn(own_redis: RedisServer) -> None:
    store = store_on(own_redis)
    await add_turn(store)
    with pytest.raises(StoreUnavailable):
        async with store.transaction("s1") as session:
            session.turns = 99
            own_redis.stop(save=True)
    own_redis.start()
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 1
    await store.close()
