"""Several `causette serve` processes on one Redis: one conversation, any process, faults survived."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import httpx
import pytest
from pydantic import ValidationError

from channels import Settings
from channels.cli import main
from dialogue import RedisStore
from nlu import load_bot
from tests.support import API_KEY_HEADERS, MINI_BOT, RedisServer, ServerProcess, wait_until

pytestmark = pytest.mark.e2e  # real server processes and a real redis-server

RENT = "je voudrais louer un scooter"
TODAY = "pour aujourd'hui"
MINI = load_bot(MINI_BOT)
(LOCATION,) = MINI.dataset.intent("location").response_texts
(DAY_RENTAL,) = MINI.dataset.intent("aujourd'hui").response_texts
# Server A (two worker processes) and server B (one), on the same Redis.
Servers = tuple[ServerProcess, ServerProcess]


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """This module's Redis: its tests stop and freeze it, and always bring it back."""
    server = RedisServer(tmp_path_factory.mktemp("redis-scaling"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(redis: RedisServer, mini_model_dir: Path) -> Iterator[Servers]:
    """Two servers on two ports, one Redis: A runs two worker processes, B one.

    Short Redis timeouts, so that faults show quickly. Both start at the same time.
    """
    env = {
        "CAUSETTE_REDIS_URL": redis.url,
        "CAUSETTE_REDIS_TIMEOUT_SECONDS": "0.5",
        "CAUSETTE_REDIS_LOCK_SECONDS": "2",
        "CAUSETTE_REDIS_WAIT_SECONDS": "5",
    }
    with ThreadPoolExecutor() as pool:
        a = pool.submit(ServerProcess, MINI_BOT, mini_model_dir, env, workers=2)
        b = pool.submit(ServerProcess, MINI_BOT, mini_model_dir, env)
        pair = (a.result(), b.result())
    yield pair
    for server in pair:
        server.stop()


def say(server: ServerProcess, session_id: str, text: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/conversations/{session_id}/messages",
        json={"text": text},
        timeout=30,
        headers=API_KEY_HEADERS,
    )


def new_session() -> str:
    return uuid.uuid4().hex


def test_the_context_set_on_one_process_is_used_by_the_other(servers: Servers) -> None:
    a, b = servers
    session = new_session()
    first = say(a, session, RENT).json()
    assert first["responses"] == [LOCATION] and first["contexts"] == ["jourlocation"]
    second = say(b, session, TODAY).json()
    assert second["intent"]["name"] == "aujourd'hui" and second["responses"] == [DAY_RENTAL]
    history = httpx.get(f"{a.url}/api/v1/conversations/{session}", headers=API_KEY_HEADERS).json()["history"]
    assert [entry["text"] for entry in history] == [RENT, LOCATION, TODAY, DAY_RENTAL]


async def test_fifty_concurrent_turns_over_two_processes_are_all_kept_in_order(
    servers: Servers, redis: RedisServer
) -> None:
    a, b = servers
    session = new_session()
    texts = [RENT if n % 3 == 1 else TODAY for n in range(50)]
    async with httpx.AsyncClient(headers=API_KEY_HEADERS, timeout=60) as client:
        replies = await asyncio.gather(
            *(
                client.post(f"{(a, b)[n % 2].url}/api/v1/conversations/{session}/messages", json={"text": text})
                for n, text in enumerate(texts)
            )
        )
    assert [reply.status_code for reply in replies] == [200] * 50
    store = RedisStore.from_url(redis.url, 600)
    stored = await store.get(f"bench.{session}")  # the tests' API key's namespace
    history = await store.history(f"bench.{session}")
    await store.close()
    assert stored is not None and stored.turns == 50
    assert history is not None
    assert [entry.role for entry in history] == ["user", "bot"] * 50, "each question then its answer"
    assert Counter(entry.text for entry in history[::2]) == Counter(texts)
    # Each turn saw exactly the turns before it in the history: "pour aujourd'hui" is understood
    # when, and only when, a rental request is among the context's lifespan of turns before it.
    questions = [entry.text for entry in history[::2]]
    lifespan = MINI.config.context_lifespan
    for number, answer in enumerate(history[1::2]):
        if questions[number] == TODAY:
            in_context = RENT in questions[max(0, number - lifespan) : number]
            assert (answer.intent == "aujourd'hui") == in_context, f"turn {number} of {questions}"
    assert [entry.at for entry in history] == sorted(entry.at for entry in history)


def test_a_restarted_server_continues_the_conversation(servers: Servers) -> None:
    _, b = servers
    session = new_session()
    assert say(b, session, RENT).json()["contexts"] == ["jourlocation"]
    b.stop()
    b.start()
    assert say(b, session, TODAY).json()["responses"] == [DAY_RENTAL]


def assert_unavailable(server: ServerProcess, session: str) -> None:
    """While Redis is away: a clear 503 for a turn, a not-ready health check, a living process."""
    reply = say(server, session, TODAY)
    assert reply.status_code == 503
    assert reply.json()["detail"].startswith("session store unavailable")
    health = httpx.get(f"{server.url}/healthz", timeout=30)
    assert health.status_code == 503 and health.json()["store"] == "down"
    assert server.alive()


def wait_ready(server: ServerProcess) -> None:
    wait_until(
        lambda: httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200,
        what="the server reporting ready again",
    )


def test_a_frozen_redis_gives_503_then_the_same_session_continues(servers: Servers, redis: RedisServer) -> None:
    a, b = servers
    session = new_session()
    say(a, session, RENT)
    redis.pause()
    try:
        assert_unavailable(b, session)
        assert_unavailable(a, session)
    finally:
        redis.resume()
    wait_ready(b)
    assert say(b, session, TODAY).json()["responses"] == [DAY_RENTAL]


def test_a_restarted_redis_gives_503_then_the_same_session_continues(servers: Servers, redis: RedisServer) -> None:
    a, b = servers
    session = new_session()
    say(a, session, RENT)
    redis.stop(save=True)  # a Redis with persistence going down: its data comes back with it
    try:
        assert_unavailable(a, session)
    finally:
        redis.start()
    wait_ready(a)
    assert say(a, session, TODAY).json()["responses"] == [DAY_RENTAL]
    assert say(b, session, TODAY).status_code == 200


def test_serve_with_several_workers_shares_their_sessions(servers: Servers) -> None:
    a, _ = servers
    session = new_session()
    for _ in range(5):  # each turn lands on either of A's workers
        assert say(a, session, RENT).json()["contexts"] == ["jourlocation"]
        assert say(a, session, TODAY).json()["responses"] == [DAY_RENTAL]


def test_serve_refuses_several_workers_without_redis(capsys: pytest.CaptureFixture[str]) -> None:
    with mock.patch.dict(os.environ):  # serve writes its settings there; put everything back after
        os.environ.pop("CAUSETTE_REDIS_URL", None)
        assert main(["serve", str(MINI_BOT), "--workers", "2"]) == 2
    assert "several workers need sessions in Redis" in capsys.readouterr().err


def test_settings_refuse_a_wait_shorter_than_the_lock() -> None:
    with pytest.raises(ValidationError, match="redis_wait_seconds"):
        Settings(redis_lock_seconds=5, redis_wait_seconds=5)
