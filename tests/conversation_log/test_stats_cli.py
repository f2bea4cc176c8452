"""``causette stats BOT_DIR``: the log's figures as tables in the terminal, as a user runs it."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import timedelta
from pathlib import Path

from conversation_log import LogDatabase, LogWriter, Masker
from conversation_log.database import default_url
from tests.conversation_log.test_log_store import NOW, turn
from tests.support import MINI_BOT, run_cli


def bot_with_a_log(tmp_path: Path) -> Path:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=shutil.ignore_patterns(".causette"))

    async def fill() -> None:
        database = LogDatabase(default_url(bot / ".causette"))
        await database.migrate()
        writer = LogWriter(database, Masker())
        writer.start()
        for event in (
            turn("a", 1, intent="horaires"),
            turn("a", 2, intent="location"),
            turn("b", 1, intent=None, probability=0.1, channel="websocket"),
            turn("c", 1, intent="horaires", at=NOW - timedelta(days=3)),
        ):
            writer.record(event)
        await writer.flushed()
        await writer.close()
        await database.dispose()

    asyncio.run(fill())
    return bot


def test_stats_prints_readable_tables(tmp_path: Path) -> None:
    bot = bot_with_a_log(tmp_path)
    done = run_cli("stats", bot)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Mini scooters — depuis le début jusqu’à aujourd’hui"
    assert any(line.split() == ["conversations", "3"] for line in lines)
    assert any(line.startswith("taux de repli (fallback)") and line.endswith("25,0 %") for line in lines)
    assert any(line.split() == ["horaires", "2"] for line in lines)
    assert any(line.split() == ["confiance", "médiane", "0,90"] for line in lines)
    assert any(line.split() == ["websocket", "1", "1"] for line in lines)
    since = run_cli("stats", bot, "--since", str(NOW.date()), "--json")
    assert since.returncode == 0, since.stderr
    figures = json.loads(since.stdout)
    assert (figures["conversations"], figures["messages"], figures["since"]) == (2, 3, str(NOW.date()))


def test_stats_says_what_is_wrong_in_french(tmp_path: Path) -> None:
    bot = bot_with_a_log(tmp_path)
    wrong_date = run_cli("stats", bot, "--since", "hier")
    assert wrong_date.returncode == 2
    assert "--since attend une date AAAA-MM-JJ, pas « hier »" in wrong_date.stderr
    shutil.rmtree(bot / ".causette")
    no_log = run_cli("stats", bot)
    assert no_log.returncode == 1
    assert "aucun journal de conversations" in no_log.stderr


def test_a_terminal_chat_with_log_is_recorded_as_the_terminal_channel(tmp_path: Path, mini_model_dir: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=shutil.ignore_patterns(".causette"))
    chat = run_cli("chat", bot, "--model-dir", mini_model_dir, "--log", "--session", "terminal-1", stdin="horaires ?\n")
    assert chat.returncode == 0, chat.stderr
    figures = json.loads(run_cli("stats", bot, "--json").stdout)
    assert figures["per_channel"] == [{"channel": "terminal", "conversations": 1, "turns": 1}]
