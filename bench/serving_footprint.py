"""What one serving process costs: memory after its first answer, and time to that answer.

    python -m bench.serving_footprint [--bot intents] [--model-dir DIR] [--runs 3] [--workers 4]

Trains the bot once into a temporary folder (unless --model-dir names a trained model), then starts
``causette serve`` ``--runs`` times and times each start to its first answered turn (a real POST of
a conversation turn, from the moment the command is launched), with the CPU seconds the server
used until then (less sensitive to a busy machine than the wall time). Memory is read from /proc after
that answer, summed over the server's process tree: RSS counts the pages every process maps,
shared ones included; PSS splits shared pages among the processes that map them (memory-mapped
model files, shared libraries), so the PSS sum is what the workers really cost together. Then the
same with ``--workers N`` (with a redis-server of its own, which several workers need).
Targets (issue 16.1): one process at most 200 MiB RSS, first answer at most 2 s after start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.processes import API_KEY_HEADERS, BENCH_API_KEY_ENTRY, REPO, RedisServer, free_port, run_cli, wait_until
from bench.stats import table

DEMO_BOT = REPO / "intents"
FIRST_TURN = "bonjour"
KIB = 1024


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we read
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children.get(current, [])
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds spent so far by ``pid``'s process tree: on a busy machine the
    wall time to the first answer grows with the load, this much less."""
    ticks = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """RSS and PSS of ``pid``'s process tree, in MiB."""
    rss = pss = 0
    for member in tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.endswith("kB")}
        rss += values.get("Rss", 0)
        pss += values.get("Pss", 0)
    return rss / KIB, pss / KIB


def first_answer(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Wait until the server answers a conversation turn."""

    def answered() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            reply = httpx.post(
                f"{url}/api/v1/conversations/footprint/messages",
                json={"text": FIRST_TURN},
                timeout=5,
                headers=API_KEY_HEADERS,
            )
        except httpx.TransportError:
            return False
        return reply.status_code == 200

    wait_until(answered, timeout, "first answer")


def serve_once(bot: Path, model_dir: Path, workers: int, redis_url: str | None) -> tuple[float, ...]:
    """Start the server, time its first answer, read its memory: wall and CPU seconds, RSS and PSS MiB."""
    port = free_port()
    command = [sys.executable, "-m", "channels.cli", "serve", str(bot), "--model-dir", str(model_dir)]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    command += ["--redis-url", redis_url] if redis_url else []
    started = time.perf_counter()
    env = {"CAUSETTE_API_KEYS": BENCH_API_KEY_ENTRY, **os.environ}
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL, env=env)
    try:
        first_answer(f"http://127.0.0.1:{port}", process)
        seconds, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
        if workers > 1:  # every worker loads the model and answers: new connections spread over them
            for _ in range(8 * workers):
                httpx.post(f"http://127.0.0.1:{port}/api/v1/parse", json={"text": FIRST_TURN}, timeout=30)
            time.sleep(2)
        rss, pss = memory_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return seconds, cpu, rss, pss


def main() -> None:
    """Print the footprint table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bot", type=Path, default=DEMO_BOT, help="bot folder (default: the demo bot)")
    parser.add_argument("--model-dir", type=Path, help="a trained model (default: train one into a temporary folder)")
    parser.add_argument("--runs", type=int, default=3, help="starts of one process (default 3)")
    parser.add_argument("--workers", type=int, default=4, help="workers of the multi-process row (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-") as work:
        model_dir = args.model_dir or Path(work) / "model"
        if args.model_dir is None:
            result = run_cli("train", args.bot, "--model-dir", model_dir)
            if result.returncode != 0:
                raise SystemExit(f"training failed: {result.stderr[-2000:]}")
        single = [serve_once(args.bot, model_dir, 1, None) for _ in range(args.runs)]
        redis = RedisServer(Path(work) / "redis")
        redis.start()
        try:
            several = serve_once(args.bot, model_dir, args.workers, redis.url)
        finally:
            redis.stop()
    rows: list[list[object]] = [
        ["1 process", *(f"{statistics.median(values):.2f}" for values in zip(*single, strict=True))],
        [f"{args.workers} workers", *(f"{value:.2f}" for value in several)],
    ]
    print(f"{args.runs} starts of one process (medians), then one start of {args.workers} workers")
    print(table(["serving", "first answer s", "CPU s to it", "RSS MiB", "PSS MiB"], rows))


if __name__ == "__main__":
    main()
