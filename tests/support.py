"""What the tests share: the test bots, and the real processes of ``bench.processes`` re-exported.

The process helpers live in ``bench.processes`` because the benchmarks use them too; the tests
import them from here, one import point for every test module.
"""

from __future__ import annotations

import shutil
from typing import Any

import httpx

from bench.processes import (
    API_KEY_HEADERS,
    BENCH_API_KEY,
    BENCH_API_KEY_ENTRY,
    REPO,
    ActionServerProcess,
    PostgresServer,
    RedisServer,
    ServerProcess,
    free_port,
    postgres_answers,
    run_cli,
    wait_until,
)

__all__ = [
    "API_KEY_HEADERS",
    "BENCH_API_KEY",
    "BENCH_API_KEY_ENTRY",
    "BOOKING_BOT",
    "BOT_DATA",
    "DEMO_BOT",
    "MINI_BOT",
    "REPO",
    "ActionServerProcess",
    "PostgresServer",
    "RedisServer",
    "ServerProcess",
    "free_port",
    "open_conversation",
    "postgres_answers",
    "run_cli",
    "say",
    "wait_until",
]

MINI_BOT = REPO / "tests" / "bots" / "mini"
BOOKING_BOT = REPO / "tests" / "bots" / "booking"
DEMO_BOT = REPO / "intents"
# What a run writes in a bot folder (its model, its conversation log): left out when a test copies a bot.
BOT_DATA = shutil.ignore_patterns(".causette")


def say(client: httpx.Client, session: str, text: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Send ``text`` to conversation ``session`` over REST; the turn's JSON (any 200 is asserted).

    ``client`` is Starlette's in-process TestClient or an httpx client of a real server; the
    credentials are the client's own headers (the tests' API key) unless ``headers`` are given."""
    reply = client.post(f"/api/v1/conversations/{session}/messages", json={"text": text}, headers=headers)
    assert reply.status_code == 200, reply.text
    turn: dict[str, Any] = reply.json()
    return turn


def open_conversation(client: httpx.Client, text: str) -> tuple[str, dict[str, str]]:
    """Open a visitor's conversation (no credentials) with ``text``: its id and the headers that
    carry its token."""
    reply = client.post("/api/v1/conversations", json={"text": text}, headers={"Authorization": ""})
    assert reply.status_code == 201, reply.text
    opened = reply.json()
    # An empty Authorization header drops the client's own (the tests' API key).
    return opened["session_id"], {"Authorization": "", "X-Conversation-Token": opened["conversation_token"]}
