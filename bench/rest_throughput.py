"""REST turns per second on one server process, against a bare FastAPI endpoint in the same run.

    python -m bench.rest_throughput [--requests 2000] [--concurrency 16]

Both servers run as separate uvicorn processes on loopback; one async client sends the same
conversation turns to each. The ratio Causette / bare shows what the dialogue engine costs.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.stats import percentile, summary_ms, table
from tests.support import REPO, free_port

TURNS = ["bonjour", "je voudrais louer un scooter", "pour aujourd'hui", "c'est combien ?",
         "vous ouvrez à quelle heure ?", "merci, au revoir"]


def start(command: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start a server process; return it with its base URL once /healthz answers."""
    port = free_port()
    process = subprocess.Popen([*command, "--port", str(port)], cwd=REPO,
                               env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise TimeoutError(command)


async def load(url: str, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    """Send ``requests`` turns over ``concurrency`` sessions; (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()

    async def session(client: httpx.AsyncClient, number: int) -> None:
        nonlocal errors
        for turn in itertools.cycle(TURNS):
            if next(counter) >= requests:
                return
            started = time.perf_counter()
            reply = await client.post(f"{url}/api/v1/conversations/bench-{number}/messages",
                                      json={"text": turn})
            latencies.append(time.perf_counter() - started)
            errors += reply.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(session(client, n) for n in range(concurrency)))
        return time.perf_counter() - started, latencies, errors


def measure(name: str, url: str, args: argparse.Namespace) -> list[object]:
    """Warm up, then measure one server."""
    asyncio.run(load(url, 200, args.concurrency))
    seconds, latencies, errors = asyncio.run(load(url, args.requests, args.concurrency))
    rate = len(latencies) / seconds
    print(f"{name}: {rate:.0f} req/s, {summary_ms(latencies)}, {errors} errors")
    return [name, f"{rate:.0f}", f"{statistics.median(latencies) * 1e3:.2f}",
            f"{percentile(latencies, 0.95) * 1e3:.2f}", errors]


def main() -> None:
    """Run both servers and print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as model_dir:
        causette, causette_url = start([python, "-m", "channels.cli", "serve", "intents",
                                        "--model-dir", model_dir, "--log-level", "warning"])
        bare, bare_url = start([python, "-m", "uvicorn", "bench.bare_app:create_bare_app",
                                "--factory", "--log-level", "warning"])
        try:
            rows = [measure("bare FastAPI (constant)", bare_url, args),
                    measure("Causette turn (memory store)", causette_url, args)]
        finally:
            for process in (causette, bare):
                process.terminate()
                process.wait()
    print(table(["server", "req/s", "median ms", "p95 ms", "errors"], rows))
    print(f"ratio Causette / bare: {float(rows[1][1]) / float(rows[0][1]):.2f}")


if __name__ == "__main__":
    main()
