"""Talking to a trained bot from a terminal: ``parse`` (one JSON line per text) and ``chat``."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from channels.cli.progress import progress_bars
from channels.cli.terminal import Palette, explanation_lines, turn_lines, wants_colour
from channels.server.app import build_log
from channels.server.settings import Settings
from conversation_log import ConversationLog
from dialogue import ActiveContext, DialogueEngine, Session
from dialogue.actions import HttpActionRunner
from dialogue.explain import explain
from nlu import Bot, Model, default_model_dir, load_bot, load_or_train


def _load_model(bot_dir: Path, model_dir: Path | None) -> tuple[Bot, Model]:
    bot = load_bot(bot_dir)
    with progress_bars(unit="epoch") as progress:
        return bot, load_or_train(bot, model_dir or default_model_dir(bot_dir), progress)


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse text given as argument, else one utterance per stdin line; one JSON per line out.

    With ``--explain``: why, as a readable (coloured on a terminal) block, or in the JSON.
    """
    bot, model = _load_model(args.bot_dir, args.model_dir)
    lines = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)
    engine = DialogueEngine.in_memory(bot, model)
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
    actions = HttpActionRunner.pooled(os.environ)
    engine = DialogueEngine.in_memory(bot, model, actions)
    session_id = args.session or uuid.uuid4().hex
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"{bot.config.name}: tapez votre message, Ctrl-D pour quitter.")
    with asyncio.Runner() as runner:
        log = _start_log(runner, engine, bot) if args.log else None
        for line in _user_lines(interactive):
            if not line.strip():
                continue
            turn = runner.run(engine.handle(session_id, line, channel="terminal"))
            print("\n".join(turn_lines(turn, interactive)))
            if not interactive:
                print(flush=True)
        if log is not None:
            runner.run(log.close())  # writes what the log still buffers
        runner.run(actions.close())
    return 0


def _start_log(runner: asyncio.Runner, engine: DialogueEngine, bot: Bot) -> ConversationLog | None:
    """Record this chat in the bot's conversation log (channel ``terminal``), as the server would;
    None when ``CAUSETTE_CONVERSATION_LOG=false`` turns the log off."""
    log = build_log(Settings(bot_dir=bot.folder), bot.config)
    if log is None:
        return None
    runner.run(log.start())
    engine.recorder = log.writer
    return log


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
