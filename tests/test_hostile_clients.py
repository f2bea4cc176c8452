"""Hostile clients against a real server with its default limits and hosts: a DNS-rebinding page
cannot open the WebSocket, and WebSockets flooding pings are cut off while /healthz answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import MINI_BOT, ServerProcess

FLOODERS = 20
MAX_PINGS = 2000  # per flooding socket: a bound for the test, never reached when the server cuts it off
POLICY_VIOLATION = 1008

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(mini_model_dir: Path) -> Iterator[ServerProcess]:
    """The mini bot served with the default rate limits and host allow-list (localhost only)."""
    process = ServerProcess(
        MINI_BOT, mini_model_dir, env={"CAUSETTE_RATE_LIMITS": "on", "CAUSETTE_ALLOWED_HOSTS": "localhost,127.0.0.1"}
    )
    yield process
    process.stop()


async def rebinding_handshake(port: int) -> int:
    """The handshake a page of rebind.example makes once its name resolves to the server's address."""
    page = f"http://rebind.example:{port}"
    try:
        async with connect(f"ws://rebind.example:{port}/api/v1/ws", host="127.0.0.1", port=port, origin=page):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


async def first_frame(port: int) -> dict[str, object]:
    """What the server's own page gets on connecting."""
    origin = f"http://127.0.0.1:{port}"
    async with connect(f"ws://127.0.0.1:{port}/api/v1/ws", origin=origin) as socket:
        frame: dict[str, object] = json.loads(await socket.recv())
        return frame


def test_a_dns_rebinding_page_cannot_open_the_websocket(server: ServerProcess) -> None:
    assert asyncio.run(rebinding_handshake(server.port)) == 400
    assert asyncio.run(first_frame(server.port))["type"] == "welcome"  # the server's own page can


async def flood(socket: ClientConnection) -> int | None:
    """Send pings as fast as the socket takes them until the server closes it: its close code, or
    None if MAX_PINGS went through without the server closing it (the client closes then)."""
    try:
        for _ in range(MAX_PINGS):
            await socket.send('{"type": "ping"}')
            await asyncio.sleep(0)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    await socket.close()
    return None


async def drain(socket: ClientConnection) -> list[str]:
    """The error codes the server sent to a flooding socket, until it closed it."""
    codes = []
    try:
        async for message in socket:
            frame = json.loads(message)
            if frame["type"] == "error":
                codes.append(frame["code"])
    except ConnectionClosed:
        pass
    return codes


async def ping_flood(server: ServerProcess) -> tuple[list[int | None], list[list[str]], list[int]]:
    sockets = []
    for _ in range(FLOODERS):  # handshakes paced under the address's per-second limit
        sockets.append(await connect(f"ws://127.0.0.1:{server.port}/api/v1/ws"))
        await asyncio.sleep(0.1)
    health: list[int] = []

    async def probe() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(5):
                health.append((await client.get(f"{server.url}/healthz")).status_code)
                await asyncio.sleep(0.2)

    results = await asyncio.gather(*(flood(s) for s in sockets), *(drain(s) for s in sockets), probe())
    return list(results[:FLOODERS]), list(results[FLOODERS : 2 * FLOODERS]), health


def test_websockets_flooding_pings_are_closed_and_health_answers(server: ServerProcess) -> None:
    closes, errors, health = asyncio.run(ping_flood(server))
    assert closes == [POLICY_VIOLATION] * FLOODERS
    assert all("rate_limited" in codes for codes in errors)
    assert health == [200] * 5
    assert server.alive()
