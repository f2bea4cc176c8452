"""Slow clients cannot lock others out: a server with 256 file descriptors, 300 clients trickling
their headers or bodies, and a real client still gets its answer.

Each slow client sends a byte every half second, forever if let: a header read timeout
(``slow_clients.HeaderTimeoutProtocol``) and a body read timeout (``limits.RequestBodyGuard``, 408)
close them, freeing the descriptors for the clients queued behind them.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import MINI_BOT, REPO, ServerProcess

FILES = 256  # the server's file descriptor limit
SLOW_CLIENTS = 300  # more than the server can hold open at once
TIMEOUT_SECONDS = 2  # the server's header and body read timeouts
TRICKLE_SECONDS = 0.5
GIVE_UP_SECONDS = 90  # a bound for the test, never reached when the server cuts slow clients off

pytestmark = pytest.mark.e2e


def _few_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


class FewFilesServer(ServerProcess):
    """``causette serve`` allowed only FILES open files (as a small container or a default ulimit)."""

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=REPO, env=self.env, preexec_fn=_few_files)
        self.wait_ready(self.ready_timeout)


@pytest.fixture(scope="module")
def server(mini_model_dir: Path) -> Iterator[ServerProcess]:
    timeouts = {"CAUSETTE_HEADER_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS), "CAUSETTE_BODY_TIMEOUT_SECONDS": "2"}
    process = FewFilesServer(MINI_BOT, mini_model_dir, env=timeouts)
    yield process
    process.stop()


@dataclass
class SlowClient:
    """What happened to one slow client: whether the server closed it, and what it answered first."""

    closed: bool = False
    answer: bytes = b""


async def trickle(port: int, start: bytes, drip: bytes) -> SlowClient:
    """Send ``start``, then ``drip`` every TRICKLE_SECONDS until the server answers or closes."""
    outcome = SlowClient()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(start)
    answer = asyncio.create_task(reader.read(200))
    try:
        async with asyncio.timeout(GIVE_UP_SECONDS):
            while not answer.done():
                writer.write(drip)
                await asyncio.wait([answer], timeout=TRICKLE_SECONDS)
            outcome.answer, outcome.closed = answer.result(), True
    except TimeoutError:
        pass  # still open after GIVE_UP_SECONDS: not closed
    except ConnectionError:
        outcome.closed = True  # reset by the server
    finally:
        answer.cancel()
        writer.close()
    return outcome


def slow_headers(port: int) -> bytes:
    return f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()


def slow_body(port: int) -> bytes:
    return (
        f"POST /api/v1/parse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    ).encode()


async def real_client(url: str) -> int:
    """A client asking for the model until it gets an answer; the status it got."""
    async with httpx.AsyncClient(timeout=5) as client, asyncio.timeout(GIVE_UP_SECONDS):
        while True:
            await asyncio.sleep(1)
            try:
                return (await client.get(f"{url}/api/v1/model")).status_code
            except httpx.TransportError:
                continue  # still queued behind the slow clients, or refused: try again


async def siege(server: ServerProcess) -> tuple[list[SlowClient], list[SlowClient], int]:
    headers = [trickle(server.port, slow_headers(server.port), b"X-Slow: 1\r\n") for _ in range(SLOW_CLIENTS // 2)]
    bodies = [trickle(server.port, slow_body(server.port), b" ") for _ in range(SLOW_CLIENTS // 2)]
    *slow, status = await asyncio.gather(*headers, *bodies, real_client(server.url))
    return slow[: len(headers)], slow[len(headers) :], status


def test_slow_clients_are_cut_off_and_a_real_client_gets_through(server: ServerProcess) -> None:
    by_headers, by_body, status = asyncio.run(siege(server))
    assert status == 200
    assert all(client.closed for client in by_headers + by_body)
    # None of them was served: header tricklers are closed without an answer, body tricklers get 408.
    assert not any(client.answer for client in by_headers)
    assert {client.answer.split(b" ", 2)[1] for client in by_body if client.answer} <= {b"408"}
    assert server.alive()
