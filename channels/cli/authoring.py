"""The content author's commands: ``check``, ``train`` and ``test`` a bot folder."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from channels.cli.exit_codes import EXIT_CONTENT_ERROR, EXIT_TEST_FAILURES, EXIT_USAGE, EXIT_WARNINGS
from channels.cli.progress import progress_bars
from channels.cli.terminal import Palette, problem_line, result_painter, wants_colour
from dialogue import Brain
from dialogue.actions import HttpActionRunner
from dialogue.conversation_tests import (
    ConversationCase,
    ConversationOutcome,
    junit_xml,
    load_conversation_tests,
    outcome_lines,
    run_conversations,
    summary_line,
)
from nlu import ContentError, default_model_dir, load_bot, train
from nlu.bot import TESTS_FOLDER
from nlu.checks import lint
from nlu.messages import render, resolve_language


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a bot folder without training: errors (exit 2), then lint warnings."""
    palette, lang = Palette(wants_colour(sys.stderr)), resolve_language(args.lang, os.environ)
    try:
        bot = load_bot(args.bot_dir)
    except ContentError as error:
        for problem in error.problems:
            print(problem_line(problem, "error", palette, lang), file=sys.stderr)
        print(
            render("check-errors", {"folder": str(args.bot_dir), "count": len(error.problems)}, lang), file=sys.stderr
        )
        return EXIT_CONTENT_ERROR
    warnings = lint(bot.dataset)
    for warning in warnings:
        print(problem_line(warning, "warning", palette, lang), file=sys.stderr)
    counts: dict[str, str | int] = {
        "folder": str(args.bot_dir),
        "intents": len(bot.dataset.intents),
        "patterns": sum(len(i.utterances) for i in bot.dataset.intents),
        "warnings": len(warnings),
    }
    refused = bool(warnings) and args.strict
    # --strict with warnings is a failure: it must not read as "OK".
    print(
        render("check-strict-refused" if refused else "check-ok", counts, lang),
        file=sys.stderr if refused else sys.stdout,
    )
    return EXIT_WARNINGS if refused else 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train and save a model (and publish it, with ``--publish``); a broken folder leaves the
    saved model untouched."""
    shared = None
    if args.publish:
        from channels.cli.models import shared_settings  # Redis and the server's settings: only to publish

        if (shared := shared_settings(args)) is None:
            return EXIT_USAGE
    bot = load_bot(args.bot_dir)
    model_dir = args.model_dir or default_model_dir(args.bot_dir)
    with progress_bars(unit="epoch") as progress:
        model = train(bot, progress)
    model.save(model_dir)
    print(
        f"trained {model.info.backend} on {len(model.info.intents)} intents in "
        f"{model.info.training_seconds:.2f} s -> {model_dir}"
    )
    if shared is not None:
        from channels.cli.models import publish

        return publish(shared, bot, model_dir)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run the bot's conversation tests against a freshly trained model (kept in memory only)."""
    bot = load_bot(args.bot_dir)
    cases = load_conversation_tests(bot)
    if not cases:
        print(f"no conversation tests in {args.bot_dir / TESTS_FOLDER} (*.yaml)", file=sys.stderr)
        return EXIT_CONTENT_ERROR
    with progress_bars(unit="epoch") as progress:
        model = train(bot, progress)
    outcomes = asyncio.run(_play_tests(Brain(bot=bot, model=model), cases, args.live_actions))
    paint = result_painter(Palette(wants_colour(sys.stdout)))
    for outcome in outcomes:
        print("\n".join(outcome_lines(outcome, paint)))
    print(summary_line(outcomes))
    if args.junit:
        args.junit.write_bytes(junit_xml(outcomes, suite_name=bot.config.name))
    return 0 if all(outcome.passed for outcome in outcomes) else EXIT_TEST_FAILURES


async def _play_tests(brain: Brain, cases: list[ConversationCase], live_actions: bool) -> list[ConversationOutcome]:
    """The conversations played; actions answer their declared action_result, or really with ``live_actions``."""
    if not live_actions:
        # A declared 'action_result: unavailable' is what the test wants, not a fault to report.
        logging.getLogger("causette.actions").setLevel(logging.ERROR)
        return await run_conversations(brain, cases)
    runner = HttpActionRunner.pooled(os.environ)
    try:
        return await run_conversations(brain, cases, live_actions=runner)
    finally:
        await runner.close()
