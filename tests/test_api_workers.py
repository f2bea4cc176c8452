"""``causette serve --workers N``: the workers serve the model, the process that starts them loads none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import API_KEY_HEADERS, MINI_BOT, RedisServer, ServerProcess

pytestmark = pytest.mark.e2e

# The bow backend runs on torch: a process that has loaded a bow model has torch's library mapped.
TORCH_LIBRARY = "libtorch"


def mapped_files(pid: int) -> str:
    """The memory map of a process: every shared library it has loaded."""
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.fixture(scope="module")
def two_workers(mini_model_dir: Path, redis_server: RedisServer) -> Iterator[ServerProcess]:
    server = ServerProcess(
        MINI_BOT, mini_model_dir, workers=2, args=("--redis-url", redis_server.url), ready_timeout=600
    )
    yield server
    server.stop()


def test_the_workers_serve_turns(two_workers: ServerProcess) -> None:
    for n in range(4):
        reply = httpx.post(
            f"{two_workers.url}/api/v1/conversations/w-{n}/messages", json={"text": "horaires"}, headers=API_KEY_HEADERS
        )
        assert reply.status_code == 200 and reply.json()["intent"]["name"] == "horaires"


def test_the_parent_process_loads_no_model(two_workers: ServerProcess) -> None:
    assert httpx.get(f"{two_workers.url}/healthz").status_code == 200  # the workers have loaded theirs
    assert TORCH_LIBRARY not in mapped_files(two_workers.process.pid)
