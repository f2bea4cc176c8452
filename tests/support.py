"""What the tests share: the test bots, and the real processes of ``bench.processes`` re-exported.

The process helpers live in ``bench.processes`` because the benchmarks use them too; the tests
import them from here, one import point for every test module.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.processes import (
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
    "BOOKING_BOT",
    "DEMO_BOT",
    "MINI_BOT",
    "REPO",
    "ActionServerProcess",
    "PostgresServer",
    "RedisServer",
    "ServerProcess",
    "free_port",
    "postgres_answers",
    "run_cli",
    "say",
    "wait_until",
]

MINI_BOT = REPO / "tests" / "bots" / "mini"
BOOKING_BOT = REPO / "tests" / "bots" / "booking"
DEMO_BOT = REPO / "intents"


def say(client: httpx.Client, session: str, text: str) -> dict[str, Any]:
    """Send ``text`` to conversation ``session`` over REST; the turn's JSON (any 200 is asserted).

    ``client`` is Starlette's in-process TestClient or an httpx client of a real server."""
    reply = client.post(f"/api/v1/conversations/{session}/messages", json={"text": text})
    assert reply.status_code == 200, reply.text
    turn: dict[str, Any] = reply.json()
    return turn
