"""How long /healthz takes while hostile work runs: long explanations, WebSocket ping floods.

A real ``causette serve`` process serves the demo bot; /healthz is timed every 50 ms, first alone,
then while clients send 1,000-character ``parse?explain=true`` requests back to back, then while
20 WebSockets flood pings. Rate limits are as the environment says (on by default here: the
flood is what they are for).

    python -m bench.health_under_load [--seconds 10] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.processes import REPO, ServerProcess
from bench.stats import summary_ms

DEMO_BOT = REPO / "intents"
LONG_TEXT = ("je voudrais louer un scooter bleu pour demain matin " * 20)[:1000]


async def time_health(url: str, seconds: float) -> list[float]:
    """Durations of /healthz requests, one every 50 ms for ``seconds``."""
    durations = []
    async with httpx.AsyncClient(timeout=60) as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            await client.get(f"{url}/healthz")
            durations.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
    return durations


async def explain_forever(url: str, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        while not stop.is_set():
            await client.post(f"{url}/api/v1/parse?explain=true", json={"text": LONG_TEXT})


async def flood_pings(url: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with connect(url.replace("http", "ws") + "/api/v1/ws") as socket:
                while not stop.is_set():
                    await socket.send('{"type": "ping"}')
                    await asyncio.sleep(0)
        except (ConnectionClosed, OSError):
            await asyncio.sleep(0.5)  # closed for flooding, or refused: come back, as an attacker would


async def under(
    load: Callable[[str, asyncio.Event], Awaitable[None]], clients: int, url: str, seconds: float
) -> list[float]:
    stop = asyncio.Event()
    workers = [asyncio.create_task(load(url, stop)) for _ in range(clients)]
    await asyncio.sleep(1)
    try:
        return await time_health(url, seconds)
    finally:
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)


def report(name: str, durations: list[float]) -> None:
    print(f"{name:<34} {summary_ms(durations)}, max {max(durations) * 1e3:.1f} ms, n={len(durations)}")


async def run(url: str, seconds: float) -> None:
    report("/healthz alone", await time_health(url, seconds))
    report("/healthz, 4 clients explaining", await under(explain_forever, 4, url, seconds))
    report("/healthz, 20 WebSockets flooding", await under(flood_pings, 20, url, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    model_dir = args.model_dir or Path(tempfile.mkdtemp(prefix="causette-health-"))
    server = ServerProcess(DEMO_BOT, model_dir, env={"CAUSETTE_RATE_LIMITS": "on"}, ready_timeout=600)
    try:
        asyncio.run(run(server.url, args.seconds))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
