"""What the tests share: the test bots, and the real processes of ``bench.processes`` re-exported.

The process helpers live in ``bench.processes`` because the benchmarks use them too; the tests
import them from here, one import point for every test module.
"""

from __future__ import annotations

from bench.processes import REPO, RedisServer, ServerProcess, free_port, run_cli, wait_until

__all__ = [
    "BOOKING_BOT",
    "DEMO_BOT",
    "MINI_BOT",
    "REPO",
    "RedisServer",
    "ServerProcess",
    "free_port",
    "run_cli",
    "wait_until",
]

MINI_BOT = REPO / "tests" / "bots" / "mini"
BOOKING_BOT = REPO / "tests" / "bots" / "booking"
DEMO_BOT = REPO / "intents"
