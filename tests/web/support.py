"""Helpers for the web channel tests: a real ``causette serve`` process and a JSON WebSocket client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Protocol

import httpx
from websockets.asyncio.client import ClientConnection, connect

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 120.0  # seconds; the first start trains the test bot
FRAME_TIMEOUT = 10.0  # a guard against hanging tests, not a latency assertion


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``causette serve BOT`` in a child process on a loopback port, as an operator runs it."""

    def __init__(self, bot_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/v1/ws"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "channels.cli", "serve", str(bot_dir), "--port", str(self.port),
             "--log-level", "warning"],
            cwd=REPO, env={**os.environ, **(env or {})},
        )
        self.wait_ready()

    def wait_ready(self) -> None:
        """Poll /healthz until the server answers."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"server on port {self.port} not ready")

    def stop(self) -> None:
        """Terminate the server and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Served(Protocol):
    """A running server, in a child process or in a thread."""

    ws_url: str


def open_socket(server: Served, session_id: str | None = None, origin: str | None = None) -> connect:
    """``async with open_socket(server) as ws``: a chat WebSocket, optionally on a session."""
    url = server.ws_url + (f"?session_id={session_id}" if session_id is not None else "")
    return connect(url, origin=origin, proxy=None)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next frame, decoded."""
    return json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT))


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
