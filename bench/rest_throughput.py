"""REST turns per second on one server process, against a bare FastAPI endpoint in the same run.

    python -m bench.rest_throughput [--client wrk|httpx] [--seconds 15] [--requests 2000]

Both servers run as separate uvicorn processes on loopback; one client sends the same
conversation turns to each. The ratio Causette / bare shows what the dialogue engine costs.
The client is wrk (Debian package ``wrk``, written in C) when installed: a Python client would
use most of the two cores itself and measure itself rather than the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.processes import API_KEY_HEADERS, BENCH_API_KEY, BENCH_API_KEY_ENTRY, DEMO_TURNS, REPO, free_port, wait_until
from bench.stats import percentile, summary_ms, table


def start(command: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server process; return it with its base URL once /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=REPO,
        # Benchmarks measure the server, not its rate limits; the bench's API key picks conversation ids.
        env={"CAUSETTE_RATE_LIMITS": "off", "CAUSETTE_API_KEYS": BENCH_API_KEY_ENTRY, **os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        return True

    try:
        wait_until(answers, timeout=180, what=f"server on port {port}")
    except TimeoutError:
        process.kill()
        raise
    return process, url


async def load(url: str, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    """Send ``requests`` turns over ``concurrency`` sessions; (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()

    async def session(client: httpx.AsyncClient, number: int) -> None:
        nonlocal errors
        for turn in itertools.cycle(DEMO_TURNS):
            if next(counter) >= requests:
                return
            started = time.perf_counter()
            reply = await client.post(f"{url}/api/v1/conversations/bench-{number}/messages", json={"text": turn})
            latencies.append(time.perf_counter() - started)
            errors += reply.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=API_KEY_HEADERS) as client:
        started = time.perf_counter()
        await asyncio.gather(*(session(client, n) for n in range(concurrency)))
        return time.perf_counter() - started, latencies, errors


def measure_wrk(name: str, url: str, args: argparse.Namespace) -> list[object]:
    """Warm up, then measure one server with wrk (one thread, ``concurrency`` connections)."""
    command = [
        "wrk",
        "-t1",
        f"-c{args.concurrency}",
        "-H",
        f"Authorization: Bearer {BENCH_API_KEY}",
        "-s",
        str(Path(__file__).with_name("wrk_turns.lua")),
        url,
    ]
    subprocess.run([*command[:1], "-d2s", *command[1:]], capture_output=True, check=True)
    output = subprocess.run(
        [*command[:1], f"-d{args.seconds}s", *command[1:]], capture_output=True, text=True, check=True
    ).stdout
    requests, micros, errors, median_ms, p95_ms = next(
        line.split()[1:] for line in output.splitlines() if line.startswith("WRK ")
    )
    rate = int(requests) / (int(micros) / 1e6)
    print(f"{name}: {rate:.0f} req/s, median {float(median_ms):.3f} ms, p95 {float(p95_ms):.3f} ms, {errors} errors")
    return [name, f"{rate:.0f}", f"{float(median_ms):.2f}", f"{float(p95_ms):.2f}", errors]


def measure(name: str, url: str, args: argparse.Namespace) -> list[object]:
    """Warm up, then measure one server with the Python client."""
    asyncio.run(load(url, 200, args.concurrency))
    seconds, latencies, errors = asyncio.run(load(url, args.requests, args.concurrency))
    rate = len(latencies) / seconds
    print(f"{name}: {rate:.0f} req/s, {summary_ms(latencies)}, {errors} errors")
    return [
        name,
        f"{rate:.0f}",
        f"{statistics.median(latencies) * 1e3:.2f}",
        f"{percentile(latencies, 0.95) * 1e3:.2f}",
        errors,
    ]


def main() -> None:
    """Run both servers and print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15, help="wrk run length per server")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    args = parser.parse_args()
    run = measure_wrk if args.client == "wrk" else measure
    print(f"client: {args.client}, {args.concurrency} concurrent conversations")
    python = sys.executable
    with tempfile.TemporaryDirectory() as model_dir:
        causette, causette_url = start(
            [python, "-m", "channels.cli", "serve", "intents", "--model-dir", model_dir, "--log-level", "warning"]
        )
        bare, bare_url = start(
            [python, "-m", "uvicorn", "bench.bare_app:create_bare_app", "--factory", "--log-level", "warning"]
        )
        try:
            rows = [
                run("bare FastAPI (constant)", bare_url, args),
                run("Causette turn (memory store)", causette_url, args),
            ]
        finally:
            for process in (causette, bare):
                process.terminate()
                process.wait()
    print(table(["server", "req/s", "median ms", "p95 ms", "errors"], rows))
    print(f"ratio Causette / bare: {float(str(rows[1][1])) / float(str(rows[0][1])):.2f}")


if __name__ == "__main__":
    main()
