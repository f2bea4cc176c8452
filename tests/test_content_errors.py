"""Broken bot folders: every problem named as file:line, exit code 2, nothing trained."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support import MINI_BOT, run_cli

GOOD = {"tag": "horaires", "patterns": ["vous ouvrez quand ?"], "responses": ["9h-19h"]}


def write_bot(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def intents(*entries: dict[str, Any]) -> str:
    return json.dumps({"intents": list(entries)}, ensure_ascii=False, indent=1)


BROKEN = {
    "invalid JSON": (
        {"a.json": '{"intents": [\n  {"tag": "x",\n   "patterns": ["a"]\n   "responses": ["b"]}\n]}'},
        "a.json:4: JSON invalide : une virgule est attendue ici ; il manque sans doute une virgule « , » à "
        "la fin de la ligne 3",
    ),
    "missing field": (
        {"a.json": intents({"tag": "x", "patterns": ["a"]})},
        "a.json:3: intents.0.responses: champ obligatoire manquant",
    ),
    "empty pattern list": (
        {"a.json": intents({"tag": "x", "patterns": [], "responses": ["b"]})},
        "a.json:5: intents.0.patterns: doit contenir au moins 1 élément(s)",
    ),
    "empty string": (
        {"a.json": intents({"tag": "x", "patterns": ["a", " "], "responses": ["b"]})},
        "a.json:5: intents.0.patterns: ne doit pas contenir de texte vide",
    ),
    "wrong type": (
        {"a.json": intents({"tag": "x", "patterns": "a", "responses": ["b"]})},
        "a.json:5: intents.0.patterns: doit être une liste [...]",
    ),
    "unknown field": (
        {"a.json": intents({"tag": "x", "patterns": ["a"], "responses": ["b"], "reponses": ["c"]})},
        "a.json:11: intents.0: clé inconnue « reponses » : vouliez-vous dire « responses » ?",
    ),
    "tag defined twice": (
        {"a.json": intents(GOOD), "b.json": intents({**GOOD, "patterns": ["autre chose"]})},
        "b.json:3: le tag « horaires » est déjà défini en a.json:3",
    ),
    "same pattern under two tags": (
        {"a.json": intents(GOOD, {"tag": "y", "patterns": ["Vous ouvrez quand"], "responses": ["b"]})},
        "a.json:15: l'exemple « vous ouvrez quand » est aussi sous le tag horaires",
    ),
    "filter nobody sets": (
        {
            "a.json": intents(
                GOOD, {"tag": "y", "patterns": ["oui"], "responses": ["b"], "context_filter": "jourlocation"}
            )
        },
        "a.json:12: le context_filter « jourlocation » n'est posé par le context_set d'aucune intention",
    ),
    "bad bot.toml": (
        {"a.json": intents(GOOD), "bot.toml": 'name = "x"\nthreshold = 2\n'},
        "bot.toml:2: threshold: doit être inférieur ou égal à 1",
    ),
    "not UTF-8": (
        {"a.json": "\udcff"},
        "a.json:1: le fichier n'est pas du texte UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", ["check", "train"])
def test_broken_folder_is_reported_with_file_and_line(tmp_path: Path, case: str, command: str) -> None:
    files, expected = BROKEN[case]
    if case == "not UTF-8":
        bot = tmp_path / "bot"
        bot.mkdir()
        (bot / "a.json").write_bytes(b'{"intents": "\xff"}')
    else:
        bot = write_bot(tmp_path / "bot", files)
    result = run_cli(command, bot)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert not (bot / ".causette").exists()


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a saved model is a folder of unit folders), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_broken_edit_does_not_overwrite_the_trained_model(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot)
    assert run_cli("train", bot).returncode == 0
    saved = files_of(bot / ".causette" / "model")
    assert "networks/weights.safetensors" in saved
    (bot / "intents.json").write_text('{"intents": [', encoding="utf-8")
    result = run_cli("train", bot)
    assert result.returncode == 2
    assert "intents.json:1: JSON invalide" in result.stderr
    assert files_of(bot / ".causette" / "model") == saved


def test_all_problems_are_listed_not_just_the_first(tmp_path: Path) -> None:
    bot = write_bot(
        tmp_path / "bot",
        {
            "a.json": intents({"tag": "x", "patterns": [], "responses": ["b"]}),
            "b.json": "{oops",
        },
    )
    result = run_cli("check", bot)
    assert result.returncode == 2
    assert "a.json:" in result.stderr and "b.json:1: JSON invalide" in result.stderr


def test_check_accepts_the_demo_and_mini_bots() -> None:
    for bot in (MINI_BOT, MINI_BOT.parent.parent.parent / "intents"):
        result = run_cli("check", bot)
        assert result.returncode == 0, result.stderr
        assert "OK" in result.stdout
