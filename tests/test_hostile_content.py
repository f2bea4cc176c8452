"""Hostile and unlucky content files: each refused at ``causette check`` with file:line in French and
exit code 2 (never a traceback, never a failure later at training), and the byte-order mark that
editors add accepted everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlu import load_bot
from nlu.formats.located_yaml import YamlError, loads_located_yaml
from nlu.formats.reading import MAX_NESTING
from tests.support import BOT_DATA, MINI_BOT, run_cli

BOM = b"\xef\xbb\xbf"
ZERO_WIDTH = "\u200b\u200c\u200d"
MINI_TOML = (MINI_BOT / "bot.toml").read_text(encoding="utf-8")
GOOD = {"tag": "horaires", "patterns": ["vous ouvrez quand ?"], "responses": ["9h-19h"]}


def intents(*entries: dict[str, object]) -> str:
    return json.dumps({"intents": list(entries)}, ensure_ascii=False, indent=1)


def with_options(options: str, backend: str = "bow") -> str:
    """The mini bot's bot.toml with a backend and its options table (lines 9 and 10, then 11...)."""
    return f'{MINI_TOML.rstrip()}\nbackend = "{backend}"\n[backend_options]\n{options}\n'


DEEP_JSON = (
    '{"intents": [{"tag": "x", "patterns": ["a"], "responses": ["b"],\n "slots": ' + "[" * 400 + "]" * 400 + "}]}"
)

# Each folder: the files written over a copy of the mini bot, and what check must say about them.
HOSTILE: dict[str, tuple[dict[str, str | bytes], str]] = {
    "JSON nested 400 deep": (
        {"a.json": DEEP_JSON},
        f"a.json:2: trop de niveaux de [ ] ou {{ }} imbriqués (plus de {MAX_NESTING})",
    ),
    "TOML nested 400 deep": (
        {"bot.toml": MINI_TOML + "\nx = " + "[" * 400 + "]" * 400 + "\n"},
        "bot.toml:9: trop de niveaux de [ ] ou { } imbriqués",
    ),
    "invalid UTF-8 in bot.toml": (
        {"bot.toml": MINI_TOML.encode() + b'\nname = "caf\xe9"\n'},
        "bot.toml:9: le fichier n'est pas du texte UTF-8",
    ),
    "invalid UTF-8 in an intent text file": (
        {"intent_x.txt": b"bonjour\nbonsoir \xff\n"},
        "intent_x.txt:2: le fichier n'est pas du texte UTF-8",
    ),
    "a backend option of the wrong type": (
        {"bot.toml": with_options('hidden = "big"')},
        "bot.toml:10: backend_options.hidden: doit être un nombre entier",
    ),
    "a misspelt backend option": (
        {"bot.toml": with_options("hiden = 64")},
        "bot.toml:10: backend_options: clé inconnue « hiden » : vouliez-vous dire « hidden » ?",
    ),
    "a backend option out of bounds": (
        {"bot.toml": with_options("hidden = 100000000")},
        "bot.toml:10: backend_options.hidden: doit être inférieur ou égal à 1024",
    ),
    "a boolean backend option read as a number": (
        {"bot.toml": with_options("epochs = true")},
        "bot.toml:10: backend_options.epochs: doit être un nombre entier",
    ),
    "an inline options table": (
        {"bot.toml": MINI_TOML + "\nbackend_options = { batch_size = 0 }\n"},
        "bot.toml:9: backend_options.batch_size: doit être supérieur ou égal à 1",
    ),
    "a dotted options key": (
        {"bot.toml": MINI_TOML + "\nbackend_options.dropout = 1.5\n"},
        "bot.toml:9: backend_options.dropout: doit être inférieur à 1",
    ),
    "n-gram lengths the wrong way round": (
        {"bot.toml": with_options("char_ngrams = [5, 3]")},
        "bot.toml:10: backend_options.char_ngrams: le premier nombre doit être inférieur ou égal au second",
    ),
    "a snips option of the wrong kind": (
        {"bot.toml": with_options("seed = -1\nresources = '/tmp'", backend="snips")},
        "bot.toml:11: backend_options: clé inconnue « resources » : vouliez-vous dire « resources_dir » ?",
    ),
    "a boolean threshold": (
        {"bot.toml": MINI_TOML.replace("threshold = 0.25", "threshold = true")},
        "bot.toml:2: threshold: doit être un nombre",
    ),
    "an infinite TTL": (
        {"bot.toml": MINI_TOML.replace("session_ttl_seconds = 3600", "session_ttl_seconds = inf")},
        "bot.toml:5: session_ttl_seconds: doit être un nombre fini",
    ),
    "a misspelt setting": (
        {"bot.toml": MINI_TOML.replace("context_lifespan = 2", "context_lifespn = 2")},
        "bot.toml:3: clé inconnue « context_lifespn » : vouliez-vous dire « context_lifespan » ?",
    ),
    "a zero-width fallback": (
        {"bot.toml": MINI_TOML.replace('["Désolé, je n\'ai pas compris."]', f'["{ZERO_WIDTH}"]')},
        "bot.toml:6: fallback_responses.0: ne doit pas être un texte vide (ou sans caractère visible)",
    ),
    "a zero-width pattern": (
        {"a.json": intents({**GOOD, "patterns": ["vous ouvrez quand ?", ZERO_WIDTH]})},
        "a.json:5: intents.0.patterns: ne doit pas contenir de texte vide (ou sans caractère visible)",
    ),
    "a zero-width response": (
        {"a.json": intents({**GOOD, "responses": [ZERO_WIDTH]})},
        "a.json:9: intents.0.responses.0.text: ne doit pas être un texte vide (ou sans caractère visible)",
    ),
    "a zero-width tag": (
        {"a.json": intents({**GOOD, "tag": ZERO_WIDTH})},
        "a.json:4: intents.0.tag: ne doit pas être vide (ou sans caractère visible)",
    ),
    "a text-layout intent of zero-width lines": (
        {"intent_x.txt": f"{ZERO_WIDTH}\n\ufeff\n", "x.json": intents({"tag": "x", "responses": ["b"]})},
        "intent_x.txt:1: l'intention « x » n'a aucun exemple",
    ),
    "a NaN strictness": (
        {"e.json": '{"entities": {"couleur": {"values": ["bleu"],\n "matching_strictness": NaN}}}'},
        "e.json:1: entities.couleur.matching_strictness: doit être un nombre fini",
    ),
    "a closed entity whose file starts with a byte-order mark": (
        {
            "entity_couleur.txt": BOM + b"%closed\nbleu\nvert\n",
            "intent_peindre.txt": "peindre en [couleur:couleur](rouge)\n",
            "peindre.json": intents({"tag": "peindre", "responses": ["ok"]}),
        },
        "intent_peindre.txt:1: « rouge » n'est pas une valeur de l'entité fermée « couleur »",
    ),
}


def hostile_bot(folder: Path, files: dict[str, str | bytes]) -> Path:
    """A copy of the mini bot with ``files`` written over it."""
    shutil.copytree(MINI_BOT, folder, ignore=BOT_DATA)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_refuses_a_hostile_folder_with_file_line_and_exit_2(tmp_path: Path, case: str) -> None:
    files, expected = HOSTILE[case]
    bot = hostile_bot(tmp_path / "bot", files)
    result = run_cli("check", bot)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_huge_network_is_refused_before_training_not_during_it(tmp_path: Path) -> None:
    bot = hostile_bot(tmp_path / "bot", {"bot.toml": with_options("hidden = 100000000")})
    result = run_cli("train", bot)
    assert result.returncode == 2, result.stderr
    assert "backend_options.hidden: doit être inférieur ou égal à 1024" in result.stderr
    assert not (bot / ".causette").exists()


def test_byte_order_marks_are_accepted_in_every_kind_of_content_file(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    bot.mkdir()
    (bot / "bot.toml").write_bytes(BOM + MINI_TOML.encode())
    (bot / "intents.json").write_bytes(BOM + (MINI_BOT / "intents.json").read_bytes())
    (bot / "entity_couleur.txt").write_bytes(BOM + b"%closed\nbleu, azur\nvert\n")
    (bot / "intent_peindre.txt").write_bytes(BOM + b"# un commentaire\npeindre en [couleur:couleur](bleu)\n")
    (bot / "peindre.json").write_bytes(BOM + intents({"tag": "peindre", "responses": ["ok"]}).encode())
    loaded = load_bot(bot)
    assert loaded.config.name == "Mini scooters"
    couleur = loaded.dataset.entities["couleur"]
    assert not couleur.automatically_extensible  # %closed was read as the option, not as a value
    assert [value.value for value in couleur.values] == ["bleu", "vert"]
    assert loaded.dataset.intent("peindre").utterances[0].text == "peindre en bleu"
    assert "horaires" in {intent.name for intent in loaded.dataset.intents}


def test_zero_width_characters_around_a_text_layout_line_are_dropped(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "entity_couleur.txt": f"{ZERO_WIDTH}%closed\nbleu{ZERO_WIDTH}, {ZERO_WIDTH}\n{ZERO_WIDTH}\nvert\n",
        "intent_peindre.txt": "peindre en [couleur:couleur](bleu)\n",
        "peindre.json": intents({"tag": "peindre", "responses": ["ok"]}),
    }
    couleur = load_bot(hostile_bot(tmp_path / "bot", files)).dataset.entities["couleur"]
    assert not couleur.automatically_extensible
    assert [(value.value, value.synonyms) for value in couleur.values] == [("bleu", []), ("vert", [])]


def test_every_backend_declares_the_options_check_validates() -> None:
    from nlu.backends import BUILTIN_OPTIONS, backend_options_model, get_backend

    for name in BUILTIN_OPTIONS:
        assert backend_options_model(name) is get_backend(name).options_model


def test_a_conversation_test_nested_400_deep_is_refused_with_its_line(tmp_path: Path) -> None:
    bot = hostile_bot(tmp_path / "bot", {})
    (bot / "tests").mkdir()
    (bot / "tests" / "deep.yaml").write_text("tests:\n  - name: " + "[" * 400 + "]" * 400 + "\n", encoding="utf-8")
    result = run_cli("test", bot)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "deep.yaml:2: trop de niveaux de [ ] ou { } imbriqués" in result.stderr
    assert "Traceback" not in result.stderr


def test_yaml_nested_by_indentation_alone_is_refused_not_a_recursion_error() -> None:
    text = "a:\n" + "".join("  " * depth + "b:\n" for depth in range(1, 600)) + "  " * 600 + "x\n"
    with pytest.raises(YamlError) as refused:
        loads_located_yaml(text)
    assert refused.value.code == "too-deep"
