"""Messages an author understands: French by default, English on request, a hint for JSON mistakes."""

from __future__ import annotations

import os
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue.conversation_tests import load_conversation_tests
from nlu import ContentError, Problem, load_bot
from nlu.evaluation.labelled import read_jsonl
from nlu.messages import CATALOGUES, resolve_language
from tests.support import MINI_BOT, REPO, run_cli

GOOD_ENTRY = '  {"tag": "horaires",\n   "patterns": ["vous ouvrez quand ?"],\n   "responses": ["9h-19h"]}'

JSON_MISTAKES = {
    "missing comma": (
        '{"intents": [\n  {"tag": "horaires",\n   "patterns": ["vous ouvrez quand ?"]\n   "responses": ["9h"]}\n]}',
        [
            "a.json:4: JSON invalide : une virgule est attendue ici ; "
            "il manque sans doute une virgule « , » à la fin de la ligne 3",
            '       "responses": ["9h"]}\n       ^',
        ],
        "a.json:4: invalid JSON: expecting ',' delimiter; a comma ',' is probably missing at the end of line 3",
    ),
    "trailing comma": (
        '{"intents": [\n  {"tag": "horaires",\n   "patterns": ["vous ouvrez quand ?",],\n   "responses": ["9h"]}\n]}',
        ["a.json:3: JSON invalide : une valeur est attendue ici ; enlevez la virgule en trop à la fin de la ligne 3"],
        "a.json:3: invalid JSON: expecting a value; remove the extra comma at the end of line 3",
    ),
    "curly quotes": (
        '{"intents": [\n  {"tag": “horaires”,\n   "patterns": ["vous ouvrez quand ?"],\n   "responses": ["9h"]}\n]}',
        [
            "a.json:2: JSON invalide : une valeur est attendue ici ; remplacez les guillemets typographiques “ ” "
            '(ou ‘ ’) par des guillemets droits "',
            '      {"tag": “horaires”,\n              ^',
        ],
        "replace curly quotes “ ” (or ‘ ’) by straight quotes",
    ),
    "missing closing bracket": (
        '{"intents": [\n' + GOOD_ENTRY + "\n",
        [
            "a.json:4: JSON invalide : une virgule est attendue ici ; "
            "il manque « ] » pour fermer « [ » ouvert à la ligne 1"
        ],
        "']' is missing to close '[' opened on line 1",
    ),
    "object never closed": (
        '{"intents": [\n  {"tag": "horaires",\n   "patterns": ["vous ouvrez quand ?"],\n   "responses": ["9h"]\n]}',
        [
            "a.json:5: JSON invalide : une virgule est attendue ici ; "
            "il manque « } » pour fermer « { » ouvert à la ligne 2"
        ],
        "'}' is missing to close '{' opened on line 2",
    ),
}


def write_bot(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def check_with_env(bot: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``causette check BOT`` with extra environment variables (the locale of the author's terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", "check", str(bot)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.mark.parametrize("case", sorted(JSON_MISTAKES))
def test_a_json_mistake_shows_the_line_a_caret_and_a_hint_in_french_then_english(tmp_path: Path, case: str) -> None:
    text, french, english = JSON_MISTAKES[case]
    bot = write_bot(tmp_path / "bot", {"a.json": text})
    result = run_cli("check", bot)
    assert result.returncode == 2
    for expected in french:
        assert expected in result.stderr
    assert "1 erreur(s), rien ne peut être entraîné" in result.stderr
    in_english = run_cli("check", bot, "--lang", "en")
    assert in_english.returncode == 2
    assert english in in_english.stderr
    assert "1 error(s), nothing can be trained" in in_english.stderr


def test_an_unknown_key_suggests_the_nearest_known_one(tmp_path: Path) -> None:
    bot = write_bot(
        tmp_path / "bot",
        {
            "a.json": '{"intents": [\n  {"tag": "horaires", "patterns": ["quand ?"],\n   "reponses": ["9h"]}\n]}',
            "bot.toml": 'name = "Démo"\ntreshold = 0.3\n',
        },
    )
    result = run_cli("check", bot)
    assert result.returncode == 2
    assert "bot.toml:2: clé inconnue « treshold » : vouliez-vous dire « threshold » ?" in result.stderr
    (bot / "bot.toml").unlink()
    result = run_cli("check", bot)
    assert "a.json:3: intents.0: clé inconnue « reponses » : vouliez-vous dire « responses » ?" in result.stderr
    assert "a.json:2: intents.0.responses: champ obligatoire manquant" in result.stderr


def test_english_follows_the_terminal_locale(tmp_path: Path) -> None:
    bot = write_bot(tmp_path / "bot", {"a.json": '{"intents": [\n  {"tag": "x", "patterns": ["a"]}\n]}'})
    english = check_with_env(bot, LANG="en_GB.UTF-8")
    assert "a.json:2: intents.0.responses: Field required" in english.stderr
    french = check_with_env(bot, LANG="fr_FR.UTF-8")
    assert "a.json:2: intents.0.responses: champ obligatoire manquant" in french.stderr


def test_conversation_tests_and_labelled_data_report_through_the_same_helper(tmp_path: Path) -> None:
    bot_dir = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot_dir)
    write_bot(bot_dir, {"tests/t.yaml": "conversations:\n  - name: essai\n    turns:\n      - usr: bonjour\n"})
    with pytest.raises(ContentError) as caught:
        load_conversation_tests(load_bot(bot_dir))
    problems = [str(problem) for problem in caught.value.problems]
    assert "tests/t.yaml:4: conversations.0.turns.0: clé inconnue « usr » : vouliez-vous dire « user » ?" in problems
    labelled = write_bot(tmp_path, {"data.jsonl": '{"text": "salut", "intent": "hi"}\n{"text": "oui", "intent": ""}\n'})
    with pytest.raises(ContentError) as caught:
        read_jsonl(labelled / "data.jsonl")
    assert [str(p) for p in caught.value.problems] == ["data.jsonl:2: intent: doit contenir au moins 1 caractère(s)"]


def test_a_problem_is_served_with_its_code_parameters_and_french_message() -> None:
    problem = Problem(
        file="a.json", line=3, code="unknown-key-suggestion", params={"key": "reponses", "suggestion": "responses"}
    )
    assert problem.model_dump(mode="json") == {
        "file": "a.json",
        "line": 3,
        "code": "unknown-key-suggestion",
        "params": {"key": "reponses", "suggestion": "responses"},
        "rule": "",
        "message": "clé inconnue « reponses » : vouliez-vous dire « responses » ?",
    }
    assert problem.text("en") == "unknown key 'reponses': did you mean 'responses'?"


def test_both_catalogues_have_every_message_with_the_same_parameters() -> None:
    def fields(template: str) -> set[str]:
        return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}

    french, english = CATALOGUES["fr"], CATALOGUES["en"]
    assert french.keys() == english.keys()
    assert {code: fields(text) for code, text in french.items()} == {code: fields(t) for code, t in english.items()}


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, {}, "fr"),
        (None, {"LANG": "C.UTF-8"}, "fr"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ("fr", {"LANG": "en_US.UTF-8"}, "fr"),
        ("en", {}, "en"),
    ],
)
def test_the_language_is_the_flag_else_the_locale_else_french(
    flag: str | None, environ: dict[str, str], expected: str
) -> None:
    assert resolve_language(flag, environ) == expected
