"""Training time of the demo bot and in-process parse latency of the bow backend.

    python -m bench.nlu_speed [--parses 1000] [--trainings 3]

The baseline, measured in the same process, is tokenisation alone (NLTK regex tokeniser and
Snowball stems): the parse figure shows what the bag-of-words network adds on top of it.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.stats import summary_ms
from nlu import load_bot, train
from nlu.text import tokenize

DEMO_BOT = Path(__file__).resolve().parent.parent / "intents"


def time_calls(function: Callable[[str], object], inputs: list[str]) -> list[float]:
    """Duration of ``function(x)`` for each input, in seconds."""
    durations = []
    for text in inputs:
        started = time.perf_counter()
        function(text)
        durations.append(time.perf_counter() - started)
    return durations


def main() -> None:
    """Print training time and parse latency figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parses", type=int, default=1000)
    parser.add_argument("--trainings", type=int, default=3)
    args = parser.parse_args()

    bot = load_bot(DEMO_BOT)
    patterns = [u.text for intent in bot.dataset.intents for u in intent.utterances]
    print(f"demo bot: {len(bot.dataset.intents)} intents, {len(patterns)} patterns")
    trainings = []
    for _ in range(args.trainings):
        started = time.perf_counter()
        model = train(bot)
        trainings.append(time.perf_counter() - started)
    print(
        f"training: median {statistics.median(trainings):.2f} s over {args.trainings} runs "
        f"(min {min(trainings):.2f} s, max {max(trainings):.2f} s)"
    )

    # Varied inputs, changed slightly so the stem cache is not all that is measured.
    inputs = [
        f"{text} {n % 7}" if n % 2 else text.upper() for n, text in zip(range(args.parses), itertools.cycle(patterns))
    ]
    for text in inputs[:50]:
        model.parse(text)  # warm-up: first torch calls allocate
    baseline = time_calls(tokenize, inputs)
    parses = time_calls(model.parse, inputs)
    print(f"baseline tokenize+stem: {summary_ms(baseline)}")
    print(f"bow parse (Model.parse): {summary_ms(parses)}")
    print(f"ratio parse / baseline (medians): {statistics.median(parses) / statistics.median(baseline):.1f}x")


if __name__ == "__main__":
    main()
