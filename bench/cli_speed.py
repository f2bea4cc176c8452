"""How fast the ``causette`` command answers: the real command, each run in a fresh process.

    python -m bench.cli_speed [--runs 5] [--bot intents]

Times ``--version``, ``--help``, ``check`` and ``parse`` of one sentence (with a model trained
beforehand into a temporary folder, so that ``parse`` only loads it). Each row gives the median of
the runs' wall time, and of the CPU time (user + system) they used: on a busy machine the wall
time grows with the load, the CPU time much less. Targets (issue 17.3): ``--help`` and ``check``
under 1 s, ``parse`` under 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import table

DEMO_BOT = Path(__file__).resolve().parent.parent / "intents"
SENTENCE = "je voudrais louer un scooter"
TARGETS = {"--version": 1.0, "--help": 1.0, "check": 1.0, "parse": 2.0}


def causette(*args: str | Path) -> list[str]:
    """The command line of ``causette ARGS`` with this interpreter."""
    return [sys.executable, "-m", "channels.cli", *map(str, args)]


def timed_run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # check=False: `check --strict`-style warnings are not what is timed; the exit code is checked below.
    result = subprocess.run(command, capture_output=True, check=False, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds over ``runs`` runs, after one unmeasured run (file caches warm)."""
    timed_run(command)
    walls, cpus = zip(*(timed_run(command) for _ in range(runs)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Print the table of the command's timings."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command (default 5)")
    parser.add_argument("--bot", type=Path, default=DEMO_BOT, help="bot folder (default: the demo bot)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as model_dir:
        subprocess.run(causette("train", args.bot, "--model-dir", model_dir), capture_output=True, check=True)
        commands = {
            "--version": causette("--version"),
            "--help": causette("--help"),
            "check": causette("check", args.bot),
            "parse": causette("parse", args.bot, SENTENCE, "--model-dir", model_dir),
        }
        rows: list[list[object]] = []
        for name, command in commands.items():
            wall, cpu = medians(command, args.runs)
            rows.append([f"`causette {name}`", f"{wall:.2f}", f"{cpu:.2f}", f"{TARGETS[name]:.0f}"])
    print(f"median of {args.runs} runs, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(table(["command", "wall (s)", "CPU (s)", "target (s)"], rows))


if __name__ == "__main__":
    main()
