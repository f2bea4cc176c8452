"""How the demo bot treats off-topic and on-topic messages it never saw, with each backend.

    python -m bench.out_of_scope [--backends bow snips]

Reads the held-out sets in tests/data/out_of_scope/ (never trained or tuned on: see their README),
trains the demo bot with each backend and sends every message to the dialogue engine on a fresh
session, as the first message of a conversation in `causette chat` or the widget. The figures
are what a visitor gets: the engine's turn, not the bare parse (the parse can name no intent
while the turn still answers, and the other way round; the last two columns show how often).

- off-topic fallback: share of off-topic messages answered by a fallback response;
- on-topic accuracy: share of on-topic messages answered by their labelled intent;
- parse median / p95: Model.parse alone, in process, over both sets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench.stats import summary_ms, table
from dialogue import DialogueEngine, Turn
from nlu import Model, load_bot, train

REPO = Path(__file__).resolve().parent.parent
DEMO_BOT = REPO / "intents"
HELD_OUT = REPO / "tests" / "data" / "out_of_scope"


@dataclass(frozen=True)
class HeldOut:
    """The two held-out sets: off-topic texts, and on-topic (text, intent) pairs."""

    off_topic: list[str]
    on_topic: list[tuple[str, str]]


@dataclass(frozen=True)
class Figures:
    """One backend's results on the held-out sets."""

    off_topic_fallback: float
    on_topic_accuracy: float
    parse_seconds: list[float]
    off_topic_parse_none: float  # parse names no intent
    disagreements: int  # parse names no intent but the turn answers, or the reverse


def load_held_out(folder: Path = HELD_OUT) -> HeldOut:
    """The committed held-out sets."""
    off_topic = (folder / "off_topic.txt").read_text(encoding="utf-8").splitlines()
    lines = (folder / "on_topic.jsonl").read_text(encoding="utf-8").splitlines()
    on_topic = [(record["text"], record["intent"]) for record in map(json.loads, lines)]
    return HeldOut(off_topic, on_topic)


async def first_turns(engine: DialogueEngine, texts: list[str]) -> list[Turn]:
    """Each text as the first message of its own new conversation."""
    return [await engine.handle(uuid.uuid4().hex, text) for text in texts]


def timed_parses(model: Model, texts: list[str]) -> tuple[list[bool], list[float]]:
    """For each text: whether the parse names no intent, and how long it took (seconds)."""
    unnamed, durations = [], []
    for text in texts:
        started = time.perf_counter()
        result = model.parse(text)
        durations.append(time.perf_counter() - started)
        unnamed.append(result.intent.intent_name is None)
    return unnamed, durations


def measure(backend: str, held_out: HeldOut) -> Figures:
    """Train the demo bot with ``backend`` and score it on the held-out sets."""
    bot = load_bot(DEMO_BOT)
    bot.config.backend = backend
    model = train(bot)
    engine = DialogueEngine.in_memory(bot, model)
    on_texts = [text for text, _ in held_out.on_topic]
    texts = held_out.off_topic + on_texts
    model.parse(texts[0])  # warm-up: first calls allocate
    unnamed, durations = timed_parses(model, texts)
    turns = asyncio.run(first_turns(engine, texts))
    off_turns, on_turns = turns[: len(held_out.off_topic)], turns[len(held_out.off_topic) :]
    correct = sum(
        not turn.fallback and turn.intent == intent
        for turn, (_, intent) in zip(on_turns, held_out.on_topic, strict=True)
    )
    return Figures(
        off_topic_fallback=sum(turn.fallback for turn in off_turns) / len(off_turns),
        on_topic_accuracy=correct / len(on_turns),
        parse_seconds=durations,
        off_topic_parse_none=sum(unnamed[: len(off_turns)]) / len(off_turns),
        disagreements=sum(none != turn.fallback for none, turn in zip(unnamed, turns, strict=True)),
    )


def main() -> None:
    """Print one row per backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["bow", "snips"])
    args = parser.parse_args()
    held_out = load_held_out()
    print(f"held-out: {len(held_out.off_topic)} off-topic, {len(held_out.on_topic)} on-topic messages")
    header = [
        "backend",
        "off-topic fallback",
        "on-topic accuracy",
        "parse",
        "off-topic parse: no intent",
        "parse/turn disagree",
    ]
    rows = []
    for backend in args.backends:
        figures = measure(backend, held_out)
        rows.append(
            [
                backend,
                f"{figures.off_topic_fallback:.1%}",
                f"{figures.on_topic_accuracy:.1%}",
                summary_ms(figures.parse_seconds),
                f"{figures.off_topic_parse_none:.1%}",
                figures.disagreements,
            ]
        )
    print(table(header, rows))


if __name__ == "__main__":
    main()
