"""Load on the chat WebSocket, on loopback, against a ``causette serve`` process this script starts.

1. Idle sessions: open 1,000 then 5,000 concurrent connections (each gets its welcome and history),
   hold them, and read the server's resident memory from /proc/PID/status.
2. Conversation throughput: 100 concurrent sessions each send a fixed number of messages, one
   after the other; messages per second over the whole run and round-trip latency (send to bot
   frame) median and p95.

Every loop is bounded; the script stops the server and exits by itself.

    python bench/websocket_load.py --bot intents
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

REPO = Path(__file__).resolve().parent.parent
MESSAGES = ["bonjour", "je voudrais louer un scooter", "pour aujourd'hui", "quels sont vos horaires ?",
            "vous avez quels scooters ?", "merci, au revoir"]
HANDSHAKES_AT_ONCE = 200  # connection attempts in flight, so the listen backlog never overflows
FRAME_TIMEOUT = 30.0


@dataclass(frozen=True)
class Server:
    """The server under test: its process and where it listens."""

    process: subprocess.Popen
    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def rss_mib(self) -> float:
        """Resident memory of the server process, from the kernel."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")


def raise_file_limit(needed: int) -> int:
    """Raise this process's open-file limit (inherited by the server) as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(bot: Path, ready_timeout: float = 300) -> Iterator[Server]:
    """``causette serve BOT`` on a free loopback port, stopped on exit."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "channels.cli", "serve", str(bot), "--port", str(port), "--log-level", "warning"],
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + ready_timeout
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield Server(process, port)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


async def open_session(url: str, compression: str | None, gate: asyncio.Semaphore,
                       stack: AsyncExitStack) -> ClientConnection:
    """A connection that has received its welcome and history frames."""
    async with gate:
        ws = await stack.enter_async_context(
            connect(url, proxy=None, compression=compression, open_timeout=60, ping_interval=None))
        for _ in range(2):
            await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT)
    return ws


async def idle_sessions(server: Server, count: int, compression: str | None) -> dict[str, float]:
    """Hold ``count`` idle sessions; the server's memory with them, and one turn's latency meanwhile."""
    before = server.rss_mib()
    gate = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
    started = time.perf_counter()
    async with AsyncExitStack() as stack:
        sockets = await asyncio.gather(*(open_session(server.ws_url, compression, gate, stack)
                                         for _ in range(count)))
        opened = time.perf_counter() - started
        await asyncio.sleep(1)  # let the server settle before reading its memory
        held = server.rss_mib()
        latency = await round_trip(sockets[0], "je voudrais louer un scooter")
    return {"sessions": count, "open_s": opened, "rss_before_mib": before, "rss_held_mib": held,
            "kib_per_session": (held - before) * 1024 / count, "turn_ms_while_held": latency * 1000}


async def round_trip(ws: ClientConnection, text: str) -> float:
    """Seconds from sending a message to receiving the bot's answer (typing frames skipped)."""
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "message", "text": text}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT))
        if frame["type"] in ("bot", "error"):
            if frame["type"] == "error":
                raise RuntimeError(f"error frame: {frame}")
            return time.perf_counter() - started


async def conversation(url: str, turns: int, offset: int, compression: str | None) -> list[float]:
    """One session sending ``turns`` messages one after the other; their round-trip times."""
    async with connect(url, proxy=None, compression=compression, ping_interval=None) as ws:
        for _ in range(2):
            await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT)
        return [await round_trip(ws, MESSAGES[(offset + turn) % len(MESSAGES)]) for turn in range(turns)]


async def throughput(server: Server, sessions: int, turns: int, compression: str | None) -> dict[str, float]:
    """Messages per second and latency over ``sessions`` concurrent conversations."""
    started = time.perf_counter()
    latencies = [latency for session in await asyncio.gather(
        *(conversation(server.ws_url, turns, offset, compression) for offset in range(sessions)))
        for latency in session]
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"sessions": sessions, "messages": len(latencies), "seconds": elapsed,
            "messages_per_s": len(latencies) / elapsed, "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": cuts[94] * 1000, "max_ms": max(latencies) * 1000}


def show(title: str, figures: dict[str, float]) -> None:
    """Print one result line."""
    print(f"{title}: " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in figures.items()), flush=True)


async def run(args: argparse.Namespace, server: Server) -> None:
    compression = None if args.no_compression else "deflate"
    for count in args.idle:
        show(f"idle {count}", await idle_sessions(server, count, compression))
    show(f"throughput {args.sessions}x{args.turns}",
         await throughput(server, args.sessions, args.turns, compression))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bot", type=Path, default=REPO / "intents", help="bot folder to serve")
    parser.add_argument("--idle", type=int, nargs="+", default=[1000, 5000], help="idle session counts")
    parser.add_argument("--sessions", type=int, default=100, help="concurrent conversations")
    parser.add_argument("--turns", type=int, default=50, help="messages per conversation")
    parser.add_argument("--no-compression", action="store_true", help="do not offer permessage-deflate")
    args = parser.parse_args()
    needed = max(args.idle) + args.sessions + 1000  # sockets plus the files python and torch hold
    limit = raise_file_limit(needed)
    if limit < needed:
        sys.exit(f"open-file limit {limit} is below {needed}: raise the hard limit (ulimit -Hn)")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, open-file limit {limit}, "
          f"compression {'off' if args.no_compression else 'deflate'}", flush=True)
    with running_server(args.bot) as server:
        asyncio.run(run(args, server))


if __name__ == "__main__":
    main()
