"""How the demo bot treats off-topic and on-topic messages it never saw, with each backend.

    python -m bench.out_of_scope [--backends bow snips] [--data tests/data/out_of_scope_dev] [--errors]

Reads the held-out sets in tests/data/out_of_scope/ (never trained or tuned on: see their README;
tune on the development sets, ``--data tests/data/out_of_scope_dev``, with ``--errors`` to list
every message the bot gets wrong and every parse/turn disagreement),
trains the demo bot with each backend and sends every message to the dialogue engine on a fresh
session, as the first message of a conversation in `causette chat` or the widget. The figures
are what a visitor gets: the engine's turn, not the bare parse. The last columns count where they
differ: explained (a clarifying question; an intent that needs a context a new conversation does
not have) and unexplained (a break of the one-decision rule: should be 0).

- off-topic fallback: share of off-topic messages answered by a fallback response;
- on-topic accuracy: share of on-topic messages answered by their labelled intent;
- right intent offered: share of on-topic messages that got a clarifying question offering their
  intent (not counted as accurate: the visitor has one more click to make);
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
from nlu import Bot, Model, load_bot, train

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
    on_topic_asked: float  # a clarifying question that offers the labelled intent
    clarified: int  # parse and turn differ: the turn asks a clarifying question
    needs_context: int  # parse and turn differ: the parse's intent needs a context not active
    unexplained: int  # parse names no intent but the turn answers, or the reverse with no reason
    errors: list[str]  # one line per wrong answer or disagreement, for --errors


def load_held_out(folder: Path = HELD_OUT) -> HeldOut:
    """The committed held-out sets."""
    off_topic = (folder / "off_topic.txt").read_text(encoding="utf-8").splitlines()
    lines = (folder / "on_topic.jsonl").read_text(encoding="utf-8").splitlines()
    on_topic = [(record["text"], record["intent"]) for record in map(json.loads, lines)]
    return HeldOut(off_topic, on_topic)


async def first_turns(engine: DialogueEngine, texts: list[str]) -> list[Turn]:
    """Each text as the first message of its own new conversation."""
    return [await engine.handle(uuid.uuid4().hex, text) for text in texts]


def timed_parses(model: Model, texts: list[str]) -> tuple[list[str | None], list[float]]:
    """For each text: the intent the parse names (None: no intent), and how long it took (seconds)."""
    named, durations = [], []
    for text in texts:
        started = time.perf_counter()
        result = model.parse(text)
        durations.append(time.perf_counter() - started)
        named.append(result.intent.intent_name)
    return named, durations


def disagreement(bot: Bot, parsed: str | None, turn: Turn) -> str | None:
    """Why parse and turn differ on a first message, or None when they agree.

    Explained: the bot asks a clarifying question (the parse's intent is close to another, or just
    below the threshold), or the parse's intent needs a context no new conversation has (the bot
    then falls back, or answers with the best intent that needs none). Anything else is
    "unexplained", a break of the one-decision rule.
    """
    if (parsed is None) == turn.fallback and (parsed is None or parsed == turn.intent):
        return None
    if turn.fallback and turn.quick_replies:
        return "clarify"
    if parsed is not None and bot.dataset.intent(parsed).context_filter:
        return "needs a context"
    return "unexplained"


def measure(backend: str, held_out: HeldOut) -> Figures:
    """Train the demo bot with ``backend`` and score it on the held-out sets."""
    bot = load_bot(DEMO_BOT)
    bot.config.backend = backend
    model = train(bot)
    engine = DialogueEngine.in_memory(bot, model)
    on_texts = [text for text, _ in held_out.on_topic]
    texts = held_out.off_topic + on_texts
    model.parse(texts[0])  # warm-up: first calls allocate
    parsed, durations = timed_parses(model, texts)
    turns = asyncio.run(first_turns(engine, texts))
    off_turns, on_turns = turns[: len(held_out.off_topic)], turns[len(held_out.off_topic) :]
    correct = sum(
        not turn.fallback and turn.intent == intent
        for turn, (_, intent) in zip(on_turns, held_out.on_topic, strict=True)
    )
    expected = [None] * len(off_turns) + [intent for _, intent in held_out.on_topic]
    reasons = [disagreement(bot, name, turn) for name, turn in zip(parsed, turns, strict=True)]
    labels = {intent.button_label: intent.name for intent in bot.dataset.intents}
    asked = sum(
        turn.fallback and intent in {labels.get(reply) for reply in turn.quick_replies}
        for turn, (_, intent) in zip(on_turns, held_out.on_topic, strict=True)
    )
    return Figures(
        off_topic_fallback=sum(turn.fallback for turn in off_turns) / len(off_turns),
        on_topic_accuracy=correct / len(on_turns),
        parse_seconds=durations,
        off_topic_parse_none=sum(name is None for name in parsed[: len(off_turns)]) / len(off_turns),
        on_topic_asked=asked / len(on_turns),
        clarified=reasons.count("clarify"),
        needs_context=reasons.count("needs a context"),
        unexplained=reasons.count("unexplained"),
        errors=[
            _error_line(text, want, turn, name, reason)
            for text, want, turn, name, reason in zip(texts, expected, turns, parsed, reasons, strict=True)
            if (None if turn.fallback else turn.intent) != want or reason is not None
        ],
    )


def _error_line(text: str, expected: str | None, turn: Turn, parsed: str | None, reason: str | None) -> str:
    """One wrong answer or disagreement: what was expected, what the turn did, what parse said."""
    got = "clarify" if turn.fallback and turn.quick_replies else (None if turn.fallback else turn.intent)
    why = f", {reason}" if reason else ""
    return f"{text!r}: expected {expected}, got {got} (parse: {parsed}{why})"


def main() -> None:
    """Print one row per backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["bow", "snips"])
    parser.add_argument("--data", type=Path, default=HELD_OUT, help="folder of off_topic.txt and on_topic.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every wrong answer and disagreement")
    args = parser.parse_args()
    held_out = load_held_out(args.data)
    print(f"held-out: {len(held_out.off_topic)} off-topic, {len(held_out.on_topic)} on-topic messages")
    header = [
        "backend",
        "off-topic fallback",
        "on-topic accuracy",
        "on-topic: right intent offered in a question",
        "parse",
        "off-topic parse: no intent",
        "parse/turn differ: clarifying question",
        "intent needs a context",
        "unexplained",
    ]
    rows = []
    for backend in args.backends:
        figures = measure(backend, held_out)
        if args.errors:
            print(f"{backend}:", *figures.errors, sep="\n  ")
        rows.append(
            [
                backend,
                f"{figures.off_topic_fallback:.1%}",
                f"{figures.on_topic_accuracy:.1%}",
                f"{figures.on_topic_asked:.1%}",
                summary_ms(figures.parse_seconds),
                f"{figures.off_topic_parse_none:.1%}",
                figures.clarified,
                figures.needs_context,
                figures.unexplained,
            ]
        )
    print(table(header, rows))


if __name__ == "__main__":
    main()
