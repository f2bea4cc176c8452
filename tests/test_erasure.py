"""Erasure sticks: a DELETE racing a turn in flight never brings the conversation back with its
earlier messages, in memory and through Redis (the store and a real server)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dialogue import HistoryEntry, MemoryStore, RedisStore, SessionStore
from tests.support import API_KEY_HEADERS, MINI_BOT, RedisServer, ServerProcess

TRIES = 200
SECRET = "mon numéro est le 06 12 34 56 78"
TTL = 600.0


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SessionStore]:
    if request.param == "memory":
        yield MemoryStore(TTL)
        return
    redis_server: RedisServer = request.getfixturevalue("redis_server")
    redis_store = RedisStore.from_url(redis_server.url, TTL, prefix=f"erasure-{uuid.uuid4().hex}")
    yield redis_store
    await redis_store.close()


async def remember_secret(store: SessionStore, session_id: str) -> None:
    async with store.transaction(session_id) as session:
        session.add_history([HistoryEntry(role="user", text=SECRET, at=store.clock())])


async def turn_in_flight(store: SessionStore, session_id: str, inside: asyncio.Event, finish: asyncio.Event) -> None:
    """A turn that holds its session until ``finish`` is set, then saves it with one more message."""
    async with store.transaction(session_id) as session:
        inside.set()
        await finish.wait()
        session.add_history([HistoryEntry(role="user", text="et sinon ?", at=store.clock())])


def resurrected(history: list[str] | None) -> bool:
    """Whether an erased conversation is back with a message from before its erasure."""
    return history is not None and SECRET in history


async def test_a_delete_racing_a_turn_never_resurrects_the_conversation(store: SessionStore) -> None:
    rng = random.Random(19)
    back = 0
    for attempt in range(TRIES):
        session_id = f"race-{attempt}"
        await remember_secret(store, session_id)
        inside, finish = asyncio.Event(), asyncio.Event()
        turn = asyncio.create_task(turn_in_flight(store, session_id, inside, finish))
        if rng.random() < 0.8:
            await inside.wait()  # mostly a turn in flight; sometimes the DELETE comes first
        erase = asyncio.create_task(store.delete(session_id))
        await asyncio.sleep(rng.uniform(0, 0.002))
        finish.set()
        await asyncio.gather(turn, erase)
        history = await store.history(session_id)
        back += resurrected([entry.text for entry in history] if history is not None else None)
    assert back == 0, f"{back} of {TRIES} erased conversations came back"


@pytest.fixture(params=["memory", "redis"])
def server(request: pytest.FixtureRequest, mini_model_dir: Path) -> Iterator[ServerProcess]:
    """The mini bot served by a real process, its sessions in memory or in the tests' Redis."""
    env = {"CAUSETTE_RATE_LIMITS": "off"}
    if request.param == "redis":
        redis_server: RedisServer = request.getfixturevalue("redis_server")
        env |= {"CAUSETTE_REDIS_URL": redis_server.url, "CAUSETTE_REDIS_PREFIX": f"erasure-{uuid.uuid4().hex}"}
    process = ServerProcess(MINI_BOT, mini_model_dir, env=env)
    yield process
    process.stop()


async def test_a_rest_delete_racing_a_turn_never_resurrects_the_conversation(server: ServerProcess) -> None:
    rng = random.Random(19)
    back = 0
    async with httpx.AsyncClient(
        headers=API_KEY_HEADERS, base_url=f"{server.url}/api/v1/conversations", timeout=30
    ) as client:
        for attempt in range(TRIES):
            path = f"/rest-race-{attempt}"
            assert (await client.post(f"{path}/messages", json={"text": SECRET})).status_code == 200
            turn = asyncio.create_task(client.post(f"{path}/messages", json={"text": "vous ouvrez quand ?"}))
            await asyncio.sleep(rng.uniform(0, 0.004))
            erased = await client.delete(path)
            assert erased.status_code == 204, erased.text
            assert (await turn).status_code == 200
            reply = await client.get(path)
            history = [message["text"] for message in reply.json()["history"]] if reply.status_code == 200 else None
            back += resurrected(history)
    assert back == 0, f"{back} of {TRIES} erased conversations came back"
