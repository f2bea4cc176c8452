"""``causette evaluate``: score a backend on labelled data and write a report.

    causette evaluate TRAIN --test TEST      train on TRAIN, score TEST
    causette evaluate TRAIN --folds 5        cross-validate TRAIN
    causette evaluate TRAIN --folds 10 --validation
                                             score one held-out tenth of TRAIN (for tuning)
    causette evaluate BOT --test TEST --out-of-scope OFF_TOPIC.txt
                                             also score messages the bot should not answer

TRAIN and TEST are bot folders or JSONL files in MASSIVE's format. The backend and its options
default to the bot's configuration (``bow`` with its defaults for a JSONL file). The report goes
to the bot folder, beside its model (``TRAIN/.causette/reports/``: a hidden folder, so that it is
never taken for content), or to ``reports/`` for a JSONL file.

With ``--out-of-scope FILE`` (messages the bot should not answer, one per line), predictions are the
bot's decisions (no intent when out of scope or below the threshold: the bot's, or ``--threshold``)
and the report puts out-of-scope recall beside in-scope accuracy.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

from channels.cli.progress import progress_bars
from nlu import Bot, BotConfig, load_bot
from nlu.evaluation.labelled import LabelledSet, from_bot, read_jsonl, read_out_of_scope
from nlu.evaluation.report import summary, write_report
from nlu.evaluation.runner import OutOfScopeCheck, cross_validate, train_and_test

REPORTS_FOLDER = Path(".causette") / "reports"


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation the arguments describe, print the figures, write the report."""
    bot = load_bot(args.train) if args.train.is_dir() else None
    backend, options = _backend_and_options(args, bot)
    train = from_bot(bot) if bot else read_jsonl(args.train)
    check = _out_of_scope_check(args, bot)
    with progress_bars() as progress:
        if args.test is not None:
            evaluation = train_and_test(train, _labelled(args.test), backend, options, progress, check)
        else:
            evaluation = cross_validate(
                train, args.folds, backend, options, args.seed, progress, only_first=args.validation, check=check
            )
    report = write_report(evaluation, args.report or _default_report(args.train, backend))
    figures = summary(evaluation)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"report: {report}")
    return 0


def _default_report(train: Path, backend: str) -> Path:
    """Where the report goes without ``--report``: in the bot folder trained on, else in ``reports/``."""
    folder = train / REPORTS_FOLDER if train.is_dir() else Path("reports")
    return folder / f"evaluation-{backend}.md"


def _out_of_scope_check(args: argparse.Namespace, bot: Bot | None) -> OutOfScopeCheck | None:
    """The out-of-scope messages to score, with the threshold the bot decides by."""
    if args.out_of_scope is None:
        return None
    threshold = args.threshold if args.threshold is not None else (bot.config if bot else BotConfig()).threshold
    return OutOfScopeCheck(read_out_of_scope(args.out_of_scope), threshold)


def _labelled(path: Path) -> LabelledSet:
    return from_bot(load_bot(path)) if path.is_dir() else read_jsonl(path)


def _backend_and_options(args: argparse.Namespace, bot: Bot | None) -> tuple[str, dict[str, Any]]:
    config = bot.config if bot else None
    backend: str = args.backend or (config.backend if config else "bow")
    if args.options is not None:
        return backend, tomllib.loads(args.options.read_text(encoding="utf-8"))
    if config is not None and config.backend == backend:
        return backend, dict(config.backend_options)
    return backend, {}
