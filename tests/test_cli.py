"""The ``causette`` command as scripts use it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support import BOT_DATA, MINI_BOT, run_cli


def test_parse_reads_one_utterance_per_line(mini_model_dir: Path) -> None:
    result = run_cli(
        "parse", MINI_BOT, "--model-dir", mini_model_dir, stdin="je voudrais louer un scooter\nau revoir\n\nxqzkwp\n"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["intent"]["intentName"] for line in lines] == ["location", "au_revoir", None, None]
    assert lines[0]["input"] == "je voudrais louer un scooter"


def test_parse_takes_text_as_argument(mini_model_dir: Path) -> None:
    result = run_cli("parse", MINI_BOT, "Vous ouvrez à quelle heure ?", "--model-dir", mini_model_dir)
    assert json.loads(result.stdout)["intent"]["intentName"] == "horaires"


def test_chat_answers_one_block_per_line_when_piped_with_its_quick_replies(mini_model_dir: Path) -> None:
    result = run_cli(
        "chat",
        MINI_BOT,
        "--model-dir",
        mini_model_dir,
        stdin="je voudrais louer un scooter\npour aujourd'hui\nxqzkwp\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n\n")[:3] == [
        "Souhaitez-vous louer pour aujourd'hui ou pour plus tard ?\nchoix\u00a0: [Aujourd'hui] [Plus tard]",
        "Pour les locations du jour, merci d'appeler le 01 06 07 08 09",
        "Désolé, je n'ai pas compris.",
    ]


def test_train_shows_progress_and_saves(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    result = run_cli("train", bot)
    assert result.returncode == 0, result.stderr
    assert "training" in result.stderr and "epoch" in result.stderr  # the tqdm bar
    assert (bot / ".causette" / "model" / "causette-model.json").is_file()
    assert "trained bow on 5 intents" in result.stdout


def test_unknown_backend_is_a_clear_error(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    (bot / "bot.toml").write_text('backend = "nope"\n', encoding="utf-8")
    result = run_cli("train", bot, "--lang", "en")
    assert result.returncode == 2
    line = next(line for line in result.stderr.splitlines() if line.startswith("bot.toml:1:"))
    assert line.startswith("bot.toml:1: backend: unknown backend 'nope'; available: ")
    assert "bow" in line.split("available: ")[1].split(", ")


def test_evaluate_writes_its_report_in_the_bot_folder(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    options = tmp_path / "fast.toml"  # one short training: the report's place is what is tested
    options.write_text("epochs = 1\nmin_steps = 0\nword_vectors = false\n", encoding="utf-8")
    result = run_cli("evaluate", bot, "--folds", "2", "--validation", "--options", options)
    assert result.returncode == 0, result.stderr
    report = bot / ".causette" / "reports" / "evaluation-bow.md"
    assert f"report: {report}" in result.stdout.splitlines()
    assert report.read_text(encoding="utf-8").startswith("# Evaluation of the `bow` backend")
    assert report.with_suffix(".png").is_file()


def test_evaluate_scores_out_of_scope_messages_beside_the_intents(tmp_path: Path) -> None:
    off_topic = tmp_path / "hors_sujet.txt"
    off_topic.write_text("# messages the mini bot must not answer\nmets de la musique\n\nquel temps fait-il\nlol\n")
    options = tmp_path / "fast.toml"
    options.write_text("epochs = 1\nmin_steps = 0\nword_vectors = false\n", encoding="utf-8")
    report = tmp_path / "evaluation.md"
    result = run_cli(
        "evaluate", MINI_BOT, "--folds", "2", "--validation", "--options", options,
        "--out-of-scope", off_topic, "--report", report,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert figures["out_of_scope_examples"] == "3"  # one model (a validation split), three messages
    assert 0.0 <= float(figures["out_of_scope_recall"]) <= 1.0
    assert "## In scope and out of scope" in report.read_text(encoding="utf-8")


def test_evaluate_refuses_an_empty_out_of_scope_file_in_french(tmp_path: Path) -> None:
    off_topic = tmp_path / "vide.txt"
    off_topic.write_text("# rien\n\n", encoding="utf-8")
    result = run_cli("evaluate", MINI_BOT, "--folds", "2", "--out-of-scope", off_topic)
    assert result.returncode == 2
    assert "vide.txt:1: aucun message hors sujet (un par ligne)" in result.stderr
