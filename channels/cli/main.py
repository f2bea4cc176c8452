"""The ``causette`` command: its arguments, and the dispatch to the sub-command that runs.

Only the standard library is imported here. Each sub-command names its handler as
``module:function``; the module, and the stack it needs (torch, spaCy, FastAPI...), is imported
once the arguments are parsed, so that ``--help``, ``--version`` and a mistyped option answer at once.
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from channels.cli.exit_codes import EXIT_CONTENT_ERROR

Handler = Callable[[argparse.Namespace], int]
# nlu.messages.LANGUAGES, spelt out: importing nlu here would load NLTK for --help (a test checks they agree).
LANGUAGES = ("fr", "en")


class _IntermixedParser(argparse.ArgumentParser):
    """A sub-command's parser: options may come before, between or after its positionals.

    ``causette parse BOT --explain TEXT`` fails with plain argparse (the optional TEXT is consumed,
    empty, with BOT). ``parse_intermixed_args`` refuses a parser that has sub-commands, and the
    sub-commands' action calls ``parse_known_args``: so a sub-command's parser routes that call
    through ``parse_known_intermixed_args``, which in turn calls ``parse_known_args`` twice (the
    guard lets those calls through).
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]  # typeshed's overloads add nothing here
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._intermixing or self._subparsers is not None:  # a group of commands (``model``) is not intermixed
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


def _version() -> str:
    try:
        return metadata.version("causette")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _add_model_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        help="where the trained model is kept (default: BOT_DIR/.causette/model)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``causette`` command."""
    parser = argparse.ArgumentParser(prog="causette", description="French-first chatbot platform.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_IntermixedParser)

    def command(name: str, handler: str, help_text: str, model_dir: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("bot_dir", type=Path, help="the bot folder (intent files and bot.toml)")
        sub.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=None,
            help="language of messages about content (default: fr, en if LANG=en...)",
        )
        if model_dir:
            _add_model_dir(sub)
        sub.set_defaults(handler=handler)
        return sub

    check = command(
        "check",
        "channels.cli.authoring:cmd_check",
        "Validate a bot folder: errors, then lint warnings.",
        model_dir=False,
    )
    check.add_argument("--strict", action="store_true", help="exit with code 1 when there are warnings")
    train = command("train", "channels.cli.authoring:cmd_train", "Train and save a model.")
    train.add_argument("--output", type=Path, dest="model_dir", help=argparse.SUPPRESS)  # --model-dir's old name
    train.add_argument(
        "--publish",
        action="store_true",
        help="then publish it in Redis: every server sharing that Redis serves it within seconds",
    )
    _add_redis_url(train)
    test = command(
        "test",
        "channels.cli.authoring:cmd_test",
        "Run the conversation tests in BOT_DIR/tests/ on a freshly trained model.",
        model_dir=False,
    )
    test.add_argument("--junit", type=Path, default=None, metavar="FILE", help="also write the results as JUnit XML")
    test.add_argument(
        "--live-actions",
        action="store_true",
        help="call the bot's real action servers instead of each turn's declared action_result",
    )
    parse = command("parse", "channels.cli.conversation:cmd_parse", "Parse text into intents and slots (JSON lines).")
    _add_parse_arguments(parse)
    chat = command("chat", "channels.cli.conversation:cmd_chat", "Chat with the bot in the terminal.")
    chat.add_argument("--session", default=None, help="session id (default: a new one)")
    chat.add_argument(
        "--log", action="store_true", help="record the chat in the bot's conversation log (channel 'terminal')"
    )
    stats = command(
        "stats",
        "channels.cli.stats:cmd_stats",
        "Show the conversation log's figures: conversations, fallbacks, intents, channels.",
        model_dir=False,
    )
    _add_stats_arguments(stats)
    serve = command("serve", "channels.cli.serve:cmd_serve", "Serve the REST API, the WebSocket and the widget.")
    _add_serve_arguments(serve)
    _add_evaluate_arguments(commands)
    _add_apikey_arguments(commands)
    _add_model_commands(commands)
    _add_user_arguments(commands)
    return parser


def _add_redis_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redis-url",
        default=None,
        help="the Redis shared by the servers, e.g. redis://127.0.0.1:6379/0 (default: CAUSETTE_REDIS_URL)",
    )


def _add_model_commands(commands: argparse._SubParsersAction[_IntermixedParser]) -> None:
    help_text = "The model versions published in Redis, served by every process sharing it."
    group = commands.add_parser("model", help=help_text, description=help_text)
    actions = group.add_subparsers(dest="action", required=True, parser_class=_IntermixedParser)
    listing = actions.add_parser("list", help="the kept versions, newest first; * marks the current one")
    listing.set_defaults(handler="channels.cli.models:cmd_list")
    rollback = actions.add_parser("rollback", help="serve the version published before the current one, everywhere")
    rollback.add_argument("--to", default=None, metavar="HASH", help="serve this kept version instead (a prefix)")
    rollback.set_defaults(handler="channels.cli.models:cmd_rollback")
    for sub in (listing, rollback):
        _add_redis_url(sub)


def _add_apikey_arguments(commands: argparse._SubParsersAction[_IntermixedParser]) -> None:
    help_text = "Make an API key for a server-to-server channel: prints the key, then its CAUSETTE_API_KEYS entry."
    apikey = commands.add_parser("apikey", help=help_text, description=help_text)
    apikey.add_argument("action", choices=["new"], help="new: a fresh key (revoke one by removing its entry)")
    apikey.add_argument("name", help="the key's name: 1 to 32 letters, digits, '-' or '_' (e.g. crm, sms)")
    apikey.set_defaults(handler="channels.cli.apikey:cmd_apikey_new")


def _add_parse_arguments(parse: argparse.ArgumentParser) -> None:
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


def _add_stats_arguments(stats: argparse.ArgumentParser) -> None:
    stats.add_argument("--since", default=None, metavar="DATE", help="first day counted, e.g. 2026-11-01 (UTC)")
    stats.add_argument("--until", default=None, metavar="DATE", help="last day counted (UTC)")
    stats.add_argument(
        "--database-url",
        default=None,
        help="the log's database (default: CAUSETTE_DATABASE_URL, else BOT_DIR/.causette/log.sqlite3)",
    )
    stats.add_argument("--json", action="store_true", help="the figures as JSON, as GET /api/v1/analytics gives them")


def _add_serve_arguments(serve: argparse.ArgumentParser) -> None:
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


def _add_evaluate_arguments(commands: argparse._SubParsersAction[_IntermixedParser]) -> None:
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
        help="Markdown report path (default: TRAIN/.causette/reports/evaluation-BACKEND.md for a bot folder, "
        "reports/evaluation-BACKEND.md for a JSONL file); a .png is written beside it",
    )
    sub.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the headline figures as JSON")
    sub.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds")
    sub.add_argument(
        "--out-of-scope",
        type=Path,
        default=None,
        metavar="FILE",
        help="messages the bot should not answer, one per line: reports out-of-scope recall beside in-scope accuracy",
    )
    sub.add_argument(
        "--threshold", type=float, default=None, help="with --out-of-scope: the threshold (default: the bot's)"
    )
    sub.set_defaults(handler="channels.cli.evaluate:cmd_evaluate")


# accounts.roles.Role, spelt out for the same reason as LANGUAGES (a test checks they agree).
ROLES = ("admin", "author", "agent", "viewer")


def _add_user_arguments(commands: argparse._SubParsersAction[_IntermixedParser]) -> None:
    help_text = "Manage the accounts of the web consoles (/console, /agent)."
    user = commands.add_parser("user", help=help_text, description=help_text)
    actions = user.add_subparsers(dest="action", required=True, parser_class=_IntermixedParser)

    def action(name: str, handler: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("bot_dir", type=Path, help="the bot folder (its data folder holds the default database)")
        sub.add_argument(
            "--database-url",
            default=None,
            help="the accounts' database (default: CAUSETTE_DATABASE_URL, else BOT_DIR/.causette/log.sqlite3)",
        )
        sub.set_defaults(handler=f"channels.cli.users:{handler}")
        return sub

    add = action("add", "cmd_user_add", "Create an account; the password is asked twice (or read from stdin).")
    add.add_argument("login", help="the sign-in name")
    add.add_argument("--role", choices=ROLES, required=True, help="admin, author, agent (no content changes) or viewer")
    add.add_argument("--name", default=None, help="display name (shown to visitors for agents; default: the login)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    remove = action("remove", "cmd_user_remove", "Delete an account and end its sessions.")
    remove.add_argument("login", help="the sign-in name")
    action("list", "cmd_user_list", "List the accounts: login, role, display name.")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``causette`` console script."""
    args = build_parser().parse_args(argv)
    handler: Handler = pkgutil.resolve_name(args.handler)
    # Imported once the arguments are parsed: nlu loads NLTK, which takes a second.
    from nlu import ContentError, ModelError
    from nlu.messages import resolve_language

    try:
        return handler(args)
    except ContentError as error:
        print(error.text(resolve_language(getattr(args, "lang", None), os.environ)), file=sys.stderr)
        return EXIT_CONTENT_ERROR
    except ModelError as error:
        print(f"model error: {error}", file=sys.stderr)
        return EXIT_CONTENT_ERROR
