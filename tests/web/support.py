"""Helpers for the web channel tests: a server in a thread, a JSON client for the chat WebSocket."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Protocol

import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.support import free_port

FRAME_TIMEOUT = 10.0  # a guard against hanging tests, not a latency assertion


class Served(Protocol):
    """A running server, in a child process or in a thread of the tests."""

    url: str


class ThreadedServer:
    """uvicorn serving an app in a thread of the test process, on a free loopback port."""

    def __init__(self, app: ASGIApp, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the server thread ended")
            self.thread.join(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join()


def open_socket(server: Served, session_id: str | None = None, origin: str | None = None) -> connect:
    """``async with open_socket(server) as ws``: a chat WebSocket, optionally on a session."""
    url = server.url.replace("http://", "ws://", 1) + "/api/v1/ws"
    if session_id is not None:
        url += f"?session_id={session_id}"
    return connect(url, origin=None if origin is None else Origin(origin), proxy=None)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next frame, decoded."""
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT))
    return frame


async def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    """Send one JSON frame."""
    await ws.send(json.dumps(frame))


async def greeting(ws: ClientConnection) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``welcome`` and ``history`` frames every connection starts with."""
    welcome, history = await receive(ws), await receive(ws)
    assert welcome["type"] == "welcome" and history["type"] == "history"
    return welcome, history


async def say(ws: ClientConnection, text: str, frame_id: str = "m") -> dict[str, Any]:
    """Send a message and return the bot's answer, checking the typing frames around it."""
    await send(ws, {"type": "message", "text": text, "id": frame_id})
    assert await receive(ws) == {"type": "typing", "active": True}
    answer = await receive(ws)
    assert await receive(ws) == {"type": "typing", "active": False}
    return answer
