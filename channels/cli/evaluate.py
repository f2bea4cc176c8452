"""``causette evaluate``: score a backend on labelled data and write a report.

    causette evaluate TRAIN --test TEST      train on TRAIN, score TEST
    causette evaluate TRAIN --folds 5        cross-validate TRAIN
    causette evaluate TRAIN --folds 10 --validation
                                             score one held-out tenth of TRAIN (for tuning)

TRAIN and TEST are bot folders or JSONL files in MASSIVE's format. The backend and its options
default to the bot's configuration (``bow`` with its defaults for a JSONL file).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from tqdm import tqdm

from nlu import load_bot
from nlu.backends import Progress
from nlu.evaluation.labelled import LabelledSet, from_bot, read_jsonl
from nlu.evaluation.report import summary, write_report
from nlu.evaluation.runner import cross_validate, train_and_test


def add_evaluate_command(commands: argparse._SubParsersAction) -> None:
    """Register ``evaluate`` on the CLI's sub-command parser."""
    help_text = "Score a backend: train on one labelled set and test on another, or cross-validate."
    sub = commands.add_parser("evaluate", help=help_text, description=help_text)
    sub.add_argument("train", type=Path, help="bot folder or JSONL file (MASSIVE format) to train on")
    sub.add_argument("--test", type=Path, default=None, help="bot folder or JSONL file to score")
    sub.add_argument("--folds", type=int, default=5, help="folds when there is no --test (default 5)")
    sub.add_argument(
        "--validation",
        action="store_true",
        help="score only the first fold: a validation split of TRAIN, to tune options on",
    )
    sub.add_argument("--backend", default=None, help="backend name (default: the bot's, else bow)")
    sub.add_argument(
        "--options", type=Path, default=None, help="TOML file of backend options (default: the bot's [backend_options])"
    )
    sub.add_argument(
        "--report",
        type=Path,
        default=None,
        help="Markdown report path (default: reports/evaluation-BACKEND.md); a .png is written beside it",
    )
    sub.add_argument("--json", type=Path, default=None, help="also write the headline figures as JSON")
    sub.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds")
    sub.set_defaults(handler=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation the arguments describe, print the figures, write the report."""
    backend, options = _backend_and_options(args)
    train = _labelled(args.train)
    with _progress() as progress:
        if args.test is not None:
            evaluation = train_and_test(train, _labelled(args.test), backend, options, progress)
        else:
            evaluation = cross_validate(
                train, args.folds, backend, options, args.seed, progress, only_first=args.validation
            )
    report = write_report(evaluation, args.report or Path("reports") / f"evaluation-{backend}.md")
    figures = summary(evaluation)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"report: {report}")
    return 0


def _labelled(path: Path) -> LabelledSet:
    return from_bot(load_bot(path)) if path.is_dir() else read_jsonl(path)


def _backend_and_options(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    config = load_bot(args.train).config if args.train.is_dir() else None
    backend = args.backend or (config.backend if config else "bow")
    if args.options is not None:
        return backend, tomllib.loads(args.options.read_text(encoding="utf-8"))
    same_backend = config is not None and config.backend == backend
    return backend, dict(config.backend_options) if same_backend else {}


class _progress:
    """tqdm bars on stderr, one per phase (training, scoring...)."""

    def __enter__(self) -> Progress:
        self.bar: tqdm | None = None

        def update(done: int, total: int, description: str) -> None:
            if self.bar is None or self.bar.desc != description:
                self._close()
                self.bar = tqdm(total=total, desc=description, file=sys.stderr, dynamic_ncols=True)
            self.bar.n = done
            self.bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
