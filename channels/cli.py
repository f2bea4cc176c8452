"""The ``causette`` command: train, check, parse, chat and serve from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from channels.evaluate_command import add_evaluate_command
from dialogue import Brain, BrainHolder, DialogueEngine, MemoryStore
from nlu import ContentError, ModelError, default_model_dir, load_bot, load_or_train, train
from nlu.backends import Progress

EXIT_CONTENT_ERROR = 2


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
    """Validate a bot folder without training."""
    bot = load_bot(args.bot_dir)
    print(f"{args.bot_dir}: OK, {len(bot.dataset.intents)} intents, "
          f"{sum(len(i.utterances) for i in bot.dataset.intents)} patterns")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train and save a model; a broken folder leaves the saved model untouched."""
    bot = load_bot(args.bot_dir)
    output = args.output or default_model_dir(args.bot_dir)
    with progress_bar() as progress:
        model = train(bot, progress)
    model.save(output)
    print(f"trained {model.info.backend} on {len(model.info.intents)} intents in "
          f"{model.info.training_seconds:.2f} s -> {output}")
    return 0


def _load_model(bot_dir: Path, model_dir: Path | None):
    bot = load_bot(bot_dir)
    with progress_bar() as progress:
        return bot, load_or_train(bot, model_dir or default_model_dir(bot_dir), progress)


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse text given as argument, else one utterance per stdin line; one JSON per line out."""
    _, model = _load_model(args.bot_dir, args.model_dir)
    lines = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        print(json.dumps(model.parse(line).to_json(), ensure_ascii=False), flush=True)
    return 0


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

    os.environ["CAUSETTE_BOT_DIR"] = str(args.bot_dir)
    if args.model_dir:
        os.environ["CAUSETTE_MODEL_DIR"] = str(args.model_dir)
    load_or_train(load_bot(args.bot_dir), args.model_dir or default_model_dir(args.bot_dir))
    uvicorn.run("channels.app:create_app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``causette`` command."""
    parser = argparse.ArgumentParser(prog="causette", description="French-first chatbot platform.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
                model_dir: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("bot_dir", type=Path, help="the bot folder (intent files and bot.toml)")
        if model_dir:
            sub.add_argument("--model-dir", type=Path, default=None,
                             help="where the trained model is kept (default: BOT_DIR/.causette/model)")
        sub.set_defaults(handler=handler)
        return sub

    command("check", cmd_check, "Validate a bot folder.", model_dir=False)
    command("train", cmd_train, "Train and save a model.", model_dir=False).add_argument(
        "--output", type=Path, default=None, help="model folder (default: BOT_DIR/.causette/model)")
    command("parse", cmd_parse, "Parse text into intents and slots (JSON lines).").add_argument(
        "text", nargs="?", default=None, help="text to parse (default: one per stdin line)")
    command("chat", cmd_chat, "Chat with the bot in the terminal.").add_argument(
        "--session", default=None, help="session id (default: a new one)")
    serve = command("serve", cmd_serve, "Serve the REST API, the WebSocket and the widget.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--log-level", default="info")
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


if __name__ == "__main__":
    sys.exit(main())
