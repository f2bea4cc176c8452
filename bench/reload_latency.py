"""Live reload figures: from saving an intent file to the new answer served, and request latency
during a reload against outside one.

For each bot (the demo bot, and a bot built from MASSIVE fr-FR train), a real
``causette serve --watch`` process answers a steady stream of requests from a few clients while
the bench edits one intent's responses several times; each time it measures how long until the
edited response is served. Requests are timed throughout and split by whether they started
during a reload (between a save and the new answer) or outside one.

    python -m bench.reload_latency [--bots demo massive] [--edits 3] [--clients 4]

MASSIVE (FitzGerald et al., 2022, Amazon, CC BY 4.0) is read from
/work/shared/datasets/massive-fr/train.jsonl (or --massive PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.processes import API_KEY_HEADERS, REPO, ServerProcess, run_cli
from nlu.text import normal_form

MASSIVE = Path("/work/shared/datasets/massive-fr/train.jsonl")
MASSIVE_TEST = MASSIVE.with_name("test.jsonl")
PAUSE = 0.02  # seconds between two requests of one client: a steady stream, not a flood


@dataclass(frozen=True)
class BenchBot:
    """A bot folder to serve, the intent file whose responses are edited, and what to ask."""

    name: str
    folder: Path
    edited_file: Path
    edited_intent: str
    probe: str  # a sentence the bot answers with the edited intent
    load_texts: list[str]


@dataclass
class Sample:
    started: float
    seconds: float
    ok: bool


@dataclass
class Run:
    """What one bot's bench measured."""

    reloads: list[float] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    windows: list[tuple[float, float]] = field(default_factory=list)  # (saved, new answer seen)


def demo_bot(workdir: Path) -> BenchBot:
    """A copy of the demo bot."""
    folder = workdir / "demo"
    shutil.copytree(REPO / "intents", folder, ignore=shutil.ignore_patterns(".causette", "tests"))
    texts = [
        "je voudrais louer un scooter",
        "pour aujourd'hui",
        "c'est combien ?",
        "où êtes-vous ?",
        "le casque est fourni ?",
        "bonjour",
        "merci beaucoup",
        "vous acceptez la carte bancaire ?",
    ]
    return BenchBot("demo", folder, folder / "infos_pratiques.json", "horaires", "vous ouvrez à quelle heure ?", texts)


def massive_bot(workdir: Path, train: Path) -> BenchBot:
    """MASSIVE fr-FR train as seed-JSON intent files, one per scenario, with generic responses.

    A sentence written under two intents would be refused (an error, rightly): the first intent
    that has it keeps it.
    """
    folder = workdir / "massive"
    folder.mkdir()
    by_intent: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for line in train.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = normal_form(row["text"])
        if key and key not in seen and "[" not in row["text"] and "]" not in row["text"]:
            seen.add(key)
            by_intent[row["intent"]].append(row["text"])
    by_scenario: dict[str, list[dict[str, object]]] = defaultdict(list)
    for intent, patterns in sorted(by_intent.items()):
        by_scenario[intent.split("_")[0]].append(
            {"tag": intent, "patterns": patterns, "responses": [f"Intention {intent} comprise."]}
        )
    for scenario, intents in by_scenario.items():
        (folder / f"{scenario}.json").write_text(
            json.dumps({"intents": intents}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    (folder / "bot.toml").write_text('name = "MASSIVE fr-FR"\n', encoding="utf-8")
    test_texts = [json.loads(line)["text"] for line in MASSIVE_TEST.read_text(encoding="utf-8").splitlines()[:300]]
    return BenchBot(
        "massive", folder, folder / "alarm.json", "alarm_set", "réveille-moi à sept heures demain matin", test_texts
    )


def train(bot: BenchBot, model_dir: Path) -> float:
    """Train once with ``causette train`` (the server then starts on the saved model)."""
    started = time.perf_counter()
    result = run_cli("train", bot.folder, "--output", model_dir, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"causette train failed: {result.stderr}")
    return time.perf_counter() - started


def edit(bot: BenchBot, marker: str) -> str:
    """Give the edited intent a single new response; return it."""
    document = json.loads(bot.edited_file.read_text(encoding="utf-8"))
    response = f"Réponse modifiée ({marker})."
    for intent in document["intents"]:
        if intent["tag"] == bot.edited_intent:
            intent["responses"] = [response]
    bot.edited_file.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return response


async def client_loop(client: httpx.AsyncClient, bot: BenchBot, worker: int, stop: asyncio.Event, run: Run) -> None:
    """One client: a conversation of its own, one message after another."""
    n = 0
    while not stop.is_set():
        text = bot.load_texts[(worker * 7 + n) % len(bot.load_texts)]
        n += 1
        started = time.perf_counter()
        try:
            reply = await client.post(f"/api/v1/conversations/load-{worker}/messages", json={"text": text})
            ok = reply.status_code == 200
        except httpx.HTTPError:
            ok = False
        run.samples.append(Sample(started, time.perf_counter() - started, ok))
        await asyncio.sleep(PAUSE)


async def probe_until(client: httpx.AsyncClient, bot: BenchBot, expected: str, timeout: float) -> float:
    """Ask the probe sentence until the edited response comes back; the time it came."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        reply = await client.post("/api/v1/conversations/probe/messages", json={"text": bot.probe})
        if reply.status_code == 200 and reply.json()["responses"] == [expected]:
            return time.perf_counter()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{bot.name}: the edited response was not served within {timeout} s")


async def measure(bot: BenchBot, server: ServerProcess, edits: int, clients: int, timeout: float) -> Run:
    """Steady load; a quiet stretch, then each edit until its answer is served, then quiet again."""
    run = Run()
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=server.url, timeout=60, headers=API_KEY_HEADERS) as client:
        workers = [asyncio.create_task(client_loop(client, bot, n, stop, run)) for n in range(clients)]
        await asyncio.sleep(5)
        for number in range(1, edits + 1):
            expected = edit(bot, f"édition {number}")
            saved = time.perf_counter()
            seen = await probe_until(client, bot, expected, timeout)
            run.reloads.append(seen - saved)
            run.windows.append((saved, seen))
            await asyncio.sleep(5)
        stop.set()
        await asyncio.gather(*workers)
    return run


def latency_line(label: str, samples: list[Sample]) -> str:
    if not samples:
        return f"  {label}: no requests"
    times = sorted(s.seconds * 1000 for s in samples)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    failed = sum(not s.ok for s in samples)
    return (
        f"  {label}: {len(samples)} requests, median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms, failed {failed}"
    )


def report(bot: BenchBot, run: Run, training: float, intents: int, patterns: int) -> None:
    during = [s for s in run.samples if any(a <= s.started <= b for a, b in run.windows)]
    outside = [s for s in run.samples if not any(a <= s.started <= b for a, b in run.windows)]
    print(f"{bot.name}: {intents} intents, {patterns} patterns; first training (causette train) {training:.1f} s")
    print(
        f"  save -> new answer served: {', '.join(f'{t:.2f} s' for t in run.reloads)} "
        f"(median {statistics.median(run.reloads):.2f} s)"
    )
    print(latency_line("latency outside reloads", outside))
    print(latency_line("latency during reloads ", during))


def bench(bot: BenchBot, args: argparse.Namespace, workdir: Path) -> None:
    from nlu import load_bot  # imported late: building the bot folders needs none of it

    dataset = load_bot(bot.folder).dataset
    model_dir = workdir / f"{bot.name}-model"
    training = train(bot, model_dir)
    server = ServerProcess(bot.folder, model_dir, args=("--watch",), ready_timeout=600)
    try:
        run = asyncio.run(measure(bot, server, args.edits, args.clients, args.timeout))
    finally:
        server.stop()
    report(bot, run, training, len(dataset.intents), sum(len(i.utterances) for i in dataset.intents))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", nargs="+", choices=["demo", "massive"], default=["demo", "massive"])
    parser.add_argument("--edits", type=int, default=3, help="edits per bot")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients sending messages")
    parser.add_argument("--timeout", type=float, default=900, help="longest wait for one reload (s)")
    parser.add_argument("--massive", type=Path, default=MASSIVE, help="MASSIVE fr-FR train.jsonl")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # each bot's figures as soon as they are known
    print(
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; {args.clients} clients, "
        f"{PAUSE * 1000:.0f} ms between a client's requests"
    )
    with tempfile.TemporaryDirectory(prefix="causette-bench-") as tmp:
        workdir = Path(tmp)
        builders = {"demo": lambda: demo_bot(workdir), "massive": lambda: massive_bot(workdir, args.massive)}
        for name in args.bots:
            bench(builders[name](), args, workdir)


if __name__ == "__main__":
    main()
