"""Helpers the tests share: running the CLI and serving a bot in a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
MINI_BOT = REPO / "tests" / "bots" / "mini"
DEMO_BOT = REPO / "intents"


def run_cli(*args: str | Path, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``causette ARGS`` as a user would, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *map(str, args)],
        input=stdin, capture_output=True, text=True, cwd=REPO, timeout=timeout,
    )


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``causette serve`` in a child process on a free loopback port."""

    def __init__(self, bot_dir: Path, model_dir: Path, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "channels.cli", "serve", str(bot_dir), "--model-dir", str(model_dir),
             "--port", str(self.port), "--log-level", "warning"],
            cwd=REPO, env={**os.environ, **(env or {})},
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        """Poll /healthz until the server answers (readiness only: no timing is asserted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code in (200, 503):
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
