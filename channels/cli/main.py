"""The ``causette`` command: check, train, test, parse, chat and serve from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import math
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from channels.cli.evaluate import add_evaluate_command
from channels.cli.terminal import Palette, explanation_lines, problem_line, result_painter, wants_colour
from channels.server.settings import Settings
from dialogue import ActiveContext, Brain, BrainHolder, DialogueEngine, MemoryStore, Session
from dialogue.conversation_tests import (
    junit_xml,
    load_conversation_tests,
    outcome_lines,
    run_conversations,
    summary_line,
)
from dialogue.explain import explain
from nlu import ContentError, ModelError, default_model_dir, load_bot, load_or_train, train
from nlu.backends import Progress
from nlu.bot import TESTS_FOLDER
from nlu.lint import lint

EXIT_CONTENT_ERROR = 2
EXIT_WARNINGS = 1  # check --strict: the content loads, but lint found something
EXIT_TEST_FAILURES = 1
EXIT_USAGE = 2
# WebSocket frames above ws_max_frame_bytes get an error frame; frames above this much larger bound
# are not read in full: the server closes the connection (code 1009).
WS_TRANSPORT_MAX_BYTES = 1 << 20
# A worker answers uvicorn's health pings only once its interpreter is up: on a busy machine that
# takes longer than uvicorn's default 5 s, and the supervisor would kill and respawn workers forever.
WORKER_HEALTHCHECK_SECONDS = 60


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A tqdm bar on stderr fed by a backend's progress callback; shown only once training starts."""
    bars: list[tqdm] = []

    def update(done: int, total: int, description: str) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="epoch", file=sys.stderr, dynamic_ncols=True))
        bars[0].n = done
        bars[0].set_description(description, refresh=True)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a bot folder without training: errors (exit 2), then lint warnings."""
    palette = Palette(wants_colour(sys.stderr))
    try:
        bot = load_bot(args.bot_dir)
    except ContentError as error:
        for problem in error.problems:
            print(problem_line(problem, "error", palette), file=sys.stderr)
        print(f"{args.bot_dir}: {len(error.problems)} error(s), nothing can be trained", file=sys.stderr)
        return EXIT_CONTENT_ERROR
    warnings = lint(bot.dataset)
    for warning in warnings:
        print(problem_line(warning, "warning", palette), file=sys.stderr)
    print(
        f"{args.bot_dir}: OK, {len(bot.dataset.intents)} intents, "
        f"{sum(len(i.utterances) for i in bot.dataset.intents)} patterns, {len(warnings)} warning(s)"
    )
    return EXIT_WARNINGS if warnings and args.strict else 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train and save a model; a broken folder leaves the saved model untouched."""
    bot = load_bot(args.bot_dir)
    output = args.output or default_model_dir(args.bot_dir)
    with progress_bar() as progress:
        model = train(bot, progress)
    model.save(output)
    print(
        f"trained {model.info.backend} on {len(model.info.intents)} intents in "
        f"{model.info.training_seconds:.2f} s -> {output}"
    )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run the bot's conversation tests against a freshly trained model (kept in memory only)."""
    bot = load_bot(args.bot_dir)
    cases = load_conversation_tests(bot)
    if not cases:
        print(f"no conversation tests in {args.bot_dir / TESTS_FOLDER} (*.yaml)", file=sys.stderr)
        return EXIT_CONTENT_ERROR
    with progress_bar() as progress:
        model = train(bot, progress)
    outcomes = asyncio.run(run_conversations(Brain(bot=bot, model=model), cases))
    paint = result_painter(Palette(wants_colour(sys.stdout)))
    for outcome in outcomes:
        print("\n".join(outcome_lines(outcome, paint)))
    print(summary_line(outcomes))
    if args.junit:
        args.junit.write_bytes(junit_xml(outcomes, suite_name=bot.config.name))
    return 0 if all(outcome.passed for outcome in outcomes) else EXIT_TEST_FAILURES


def _load_model(bot_dir: Path, model_dir: Path | None):
    bot = load_bot(bot_dir)
    with progress_bar() as progress:
        return bot, load_or_train(bot, model_dir or default_model_dir(bot_dir), progress)


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse text given as argument, else one utterance per stdin line; one JSON per line out.

    With ``--explain``: why, as a readable (coloured on a terminal) block, or in the JSON.
    """
    bot, model = _load_model(args.bot_dir, args.model_dir)
    lines = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)
    engine = DialogueEngine(BrainHolder(Brain(bot=bot, model=model)), MemoryStore(bot.config.session_ttl_seconds))
    session = _session_with_contexts(engine, args.context)
    palette = Palette(wants_colour(sys.stdout))
    for line in lines:
        result = model.parse(line).to_json()
        if not args.explain:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            continue
        explanation = explain(engine, engine.brains.current, line, session)
        if args.json:
            print(json.dumps({**result, "explanation": explanation.model_dump()}, ensure_ascii=False), flush=True)
        else:
            print("\n".join(explanation_lines(explanation, palette)), flush=True)
    return 0


def _session_with_contexts(engine: DialogueEngine, contexts: list[str]) -> Session:
    """A session where ``contexts`` are active, to explain a message as if in a conversation."""
    session = engine.store.new_session("cli")
    session.contexts = [ActiveContext(name=name, turns_left=1, expires_at=math.inf) for name in contexts]
    return session


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive conversation; with piped stdin, one reply block per input line."""
    bot, model = _load_model(args.bot_dir, args.model_dir)
    brains = BrainHolder(Brain(bot=bot, model=model))
    engine = DialogueEngine(brains, MemoryStore(bot.config.session_ttl_seconds))
    session_id = args.session or uuid.uuid4().hex
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"{bot.config.name}: tapez votre message, Ctrl-D pour quitter.")
    with asyncio.Runner() as runner:
        for line in _user_lines(interactive):
            if not line.strip():
                continue
            turn = runner.run(engine.handle(session_id, line))
            for response in turn.responses:
                print(f"bot > {response}" if interactive else response)
            if not interactive:
                print(flush=True)
    return 0


def _user_lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    while True:
        try:
            yield input("vous > ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP server (REST, WebSocket, widget) with uvicorn."""
    import uvicorn  # imported here: the other commands do not need a web server

    # Worker processes build their app from the environment (uvicorn's factory takes no arguments).
    os.environ["CAUSETTE_BOT_DIR"] = str(args.bot_dir)
    if args.model_dir:
        os.environ["CAUSETTE_MODEL_DIR"] = str(args.model_dir)
    if args.redis_url:
        os.environ["CAUSETTE_REDIS_URL"] = args.redis_url
    if args.workers > 1 and not Settings().redis_url:
        print(
            "causette serve: several workers need sessions in Redis (--redis-url or "
            "CAUSETTE_REDIS_URL): sessions kept in memory live in one process, so a conversation "
            "would lose its context whenever its turns reach different workers.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.watch:
        if args.workers > 1:
            print(
                "causette serve: --watch reloads the process that sees the edit; use it with one "
                "worker (several workers would each train, and answer from different models meanwhile).",
                file=sys.stderr,
            )
            return EXIT_USAGE
        os.environ["CAUSETTE_WATCH"] = "true"
    from channels.server.app import prepare_model

    prepare_model(Settings())  # checks and trains if needed, loads nothing: each worker loads its model
    # No permessage-deflate: its per-connection state doubled the memory of an idle chat session
    # (bench/websocket_load.py: ~65 KiB against ~31 KiB), for frames of a few hundred bytes.
    uvicorn.run(
        "channels.server.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=_log_config(args.log_level),
        ws_max_size=WS_TRANSPORT_MAX_BYTES,
        ws_per_message_deflate=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    return 0


def _log_config(level: str) -> dict:
    """uvicorn's logging, plus Causette's own messages (reloads, content problems) alongside."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["causette"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``causette`` command."""
    parser = argparse.ArgumentParser(prog="causette", description="French-first chatbot platform.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str, model_dir: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("bot_dir", type=Path, help="the bot folder (intent files and bot.toml)")
        if model_dir:
            sub.add_argument(
                "--model-dir",
                type=Path,
                default=None,
                help="where the trained model is kept (default: BOT_DIR/.causette/model)",
            )
        sub.set_defaults(handler=handler)
        return sub

    command("check", cmd_check, "Validate a bot folder: errors, then lint warnings.", model_dir=False).add_argument(
        "--strict", action="store_true", help="exit with code 1 when there are warnings"
    )
    command("train", cmd_train, "Train and save a model.", model_dir=False).add_argument(
        "--output", type=Path, default=None, help="model folder (default: BOT_DIR/.causette/model)"
    )
    command(
        "test", cmd_test, "Run the conversation tests in BOT_DIR/tests/ on a freshly trained model.", model_dir=False
    ).add_argument("--junit", type=Path, default=None, metavar="FILE", help="also write the results as JUnit XML")
    parse = command("parse", cmd_parse, "Parse text into intents and slots (JSON lines).")
    parse.add_argument("text", nargs="?", default=None, help="text to parse (default: one per stdin line)")
    parse.add_argument(
        "--explain",
        action="store_true",
        help="say why: the words behind the intent and the runner-up, and the contexts",
    )
    parse.add_argument("--json", action="store_true", help="with --explain: JSON lines, not text")
    parse.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="NAME",
        help="with --explain: judge as if this context were active (repeatable)",
    )
    command("chat", cmd_chat, "Chat with the bot in the terminal.").add_argument(
        "--session", default=None, help="session id (default: a new one)"
    )
    serve = command("serve", cmd_serve, "Serve the REST API, the WebSocket and the widget.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (more than one needs --redis-url)")
    serve.add_argument(
        "--redis-url",
        default=None,
        help="keep sessions in this Redis, e.g. redis://127.0.0.1:6379/0 (default: CAUSETTE_REDIS_URL, else in memory)",
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--watch", action="store_true", help="reload the bot (check, train, swap) whenever one of its files changes"
    )
    add_evaluate_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``causette`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ContentError as error:
        print(error, file=sys.stderr)
        return EXIT_CONTENT_ERROR
    except ModelError as error:
        print(f"model error: {error}", file=sys.stderr)
        return EXIT_CONTENT_ERROR
