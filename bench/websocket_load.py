"""Load on the chat WebSocket, on loopback, against a ``causette serve`` process this script starts.

    python -m bench.websocket_load [--bot intents] [--idle 1000 5000] [--sessions 100] [--turns 50]

1. Idle sessions: open 1,000 then 5,000 concurrent connections (each gets its welcome and history),
   hold them, and read the server's resident memory in /proc/PID/status; one turn is timed while
   they are held.
2. Conversations: 100 concurrent sessions each send a fixed number of messages, one after the
   other; messages per second over the whole run, round-trip latency (send to bot frame) median
   and p95.

Every loop is bounded; the script stops the server and exits by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from contextlib import AsyncExitStack
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.processes import DEMO_TURNS, REPO, ServerProcess
from bench.stats import percentile, table
from nlu import default_model_dir, load_bot, load_or_train

HANDSHAKES_AT_ONCE = 200  # connection attempts in flight, so the listen backlog never overflows
FRAME_TIMEOUT = 60.0  # seconds: a guard, so a stuck server ends the run instead of hanging it


def raise_file_limit(needed: int) -> int:
    """Raise this process's open-file limit (the server inherits it) up to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = needed if hard == resource.RLIM_INFINITY else min(max(soft, needed), hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from the kernel."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def ws_url(server: ServerProcess) -> str:
    """The chat WebSocket of a server."""
    return server.url.replace("http://", "ws://", 1) + "/api/v1/ws"


async def greeted(ws: ClientConnection) -> ClientConnection:
    """The connection, once its welcome and history frames have arrived."""
    for _ in range(2):
        await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT)
    return ws


async def round_trip(ws: ClientConnection, text: str) -> float:
    """Seconds from sending a message to the bot's answer (typing frames skipped)."""
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "message", "text": text}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT))
        if frame["type"] == "error":
            raise RuntimeError(f"error frame: {frame}")
        if frame["type"] == "bot":
            return time.perf_counter() - started


async def hold_idle(server: ServerProcess, count: int) -> list[object]:
    """Open ``count`` sessions and hold them: the server's memory, and one turn meanwhile."""
    before = rss_mib(server.process.pid)
    gate = asyncio.Semaphore(HANDSHAKES_AT_ONCE)

    async def open_one(stack: AsyncExitStack) -> ClientConnection:
        async with gate:
            return await greeted(
                await stack.enter_async_context(
                    connect(ws_url(server), proxy=None, open_timeout=FRAME_TIMEOUT, ping_interval=None)
                )
            )

    async with AsyncExitStack() as stack:
        started = time.perf_counter()
        sockets = await asyncio.gather(*(open_one(stack) for _ in range(count)))
        opened = time.perf_counter() - started
        await asyncio.sleep(1)  # let the server settle before its memory is read
        held = rss_mib(server.process.pid)
        turn = await round_trip(sockets[0], "je voudrais louer un scooter")
    print(f"idle {count}: opened in {opened:.1f} s, server RSS {before:.0f} -> {held:.0f} MiB", flush=True)
    return [
        count,
        f"{opened:.1f}",
        f"{before:.0f}",
        f"{held:.0f}",
        f"{(held - before) * 1024 / count:.1f}",
        f"{turn * 1e3:.1f}",
    ]


async def converse(server: ServerProcess, sessions: int, turns: int) -> list[object]:
    """``sessions`` concurrent conversations of ``turns`` messages each: rate and latency."""

    async def conversation(offset: int) -> list[float]:
        async with connect(ws_url(server), proxy=None, ping_interval=None) as ws:
            await greeted(ws)
            return [await round_trip(ws, DEMO_TURNS[(offset + turn) % len(DEMO_TURNS)]) for turn in range(turns)]

    started = time.perf_counter()
    runs = await asyncio.gather(*(conversation(offset) for offset in range(sessions)))
    elapsed = time.perf_counter() - started
    latencies = [latency for run in runs for latency in run]
    rate = len(latencies) / elapsed
    print(f"{sessions} conversations: {len(latencies)} messages in {elapsed:.1f} s", flush=True)
    return [
        sessions,
        len(latencies),
        f"{rate:.0f}",
        f"{statistics.median(latencies) * 1e3:.1f}",
        f"{percentile(latencies, 0.95) * 1e3:.1f}",
    ]


async def run(server: ServerProcess, args: argparse.Namespace) -> None:
    """Both measurements, one after the other, then their tables."""
    idle = [await hold_idle(server, count) for count in args.idle]
    busy = await converse(server, args.sessions, args.turns)
    print(table(["idle sessions", "open s", "RSS before MiB", "RSS held MiB", "KiB/session", "one turn ms"], idle))
    print()
    print(table(["sessions", "messages", "msg/s", "median ms", "p95 ms"], [busy]))


def main() -> None:
    """Train if needed, start the server, measure, stop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bot", type=Path, default=REPO / "intents", help="bot folder to serve")
    parser.add_argument("--idle", type=int, nargs="+", default=[1000, 5000], help="idle session counts")
    parser.add_argument("--sessions", type=int, default=100, help="concurrent conversations")
    parser.add_argument("--turns", type=int, default=50, help="messages per conversation")
    args = parser.parse_args()
    needed = max(args.idle) + args.sessions + 1000  # the sockets, plus what python and torch hold open
    limit = raise_file_limit(needed)
    if limit < needed:
        sys.exit(f"open-file limit {limit} is below {needed}: raise the hard limit (ulimit -Hn)")
    model_dir = default_model_dir(args.bot)
    load_or_train(load_bot(args.bot), model_dir)  # trained here, so the server starts at once
    print(f"{os.cpu_count()} CPUs, open-file limit {limit}, bot {args.bot}", flush=True)
    server = ServerProcess(args.bot, model_dir)
    try:
        asyncio.run(run(server, args))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
