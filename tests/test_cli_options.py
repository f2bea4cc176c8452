"""The ``causette`` command's arguments: options anywhere, one name per option, a version, a light start."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from channels.cli.main import LANGUAGES, build_parser
from tests.support import MINI_BOT, REPO, run_cli

# One command line per sub-command with each kind of option: the same arguments, options first or last.
COMMANDS = [
    (["check", "bot"], ["--strict"]),
    (["train", "bot"], ["--model-dir", "model"]),
    (["test", "bot"], ["--junit", "out.xml"]),
    (["parse", "bot", "je voudrais louer un scooter"], ["--explain", "--json", "--context", "jourlocation"]),
    (["chat", "bot"], ["--session", "s1", "--model-dir", "model"]),
    (["serve", "bot"], ["--port", "9000", "--workers", "2", "--watch", "--model-dir", "model"]),
    (["evaluate", "train.jsonl"], ["--test", "test.jsonl", "--folds", "3", "--json", "out.json"]),
]
HEAVY_MODULES = ("torch", "spacy", "fastapi", "uvicorn", "starlette")


@pytest.mark.parametrize(("positionals", "options"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_options_go_before_or_after_the_positionals(positionals: list[str], options: list[str]) -> None:
    command, rest = positionals[0], positionals[1:]
    parser = build_parser()
    after = parser.parse_args([command, *rest, *options])
    before = parser.parse_args([command, *options, *rest])
    between = parser.parse_args([command, rest[0], *options, *rest[1:]])
    assert vars(after) == vars(before) == vars(between)
    assert [str(value) for dest, value in vars(after).items() if dest in ("bot_dir", "train", "text")] == rest


def test_model_dir_has_one_name_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for command in ("train", "parse", "chat", "serve"):
        assert parser.parse_args([command, "bot", "--model-dir", "m"]).model_dir == Path("m")
    assert parser.parse_args(["train", "bot", "--output", "m"]).model_dir == Path("m")  # the old spelling
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--help"])
    help_text = capsys.readouterr().out
    assert "--model-dir" in help_text and "--output" not in help_text


def test_lang_choices_are_the_message_languages() -> None:
    from nlu.messages import LANGUAGES as MESSAGE_LANGUAGES

    assert LANGUAGES == MESSAGE_LANGUAGES
    assert build_parser().parse_args(["check", "bot", "--lang", "en"]).lang == "en"


def test_parse_explains_with_options_after_the_text(mini_model_dir: Path) -> None:
    result = run_cli(
        "parse", MINI_BOT, "--explain", "je voudrais louer un scooter", "--json", "--model-dir", mini_model_dir
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["input"] == "je voudrais louer un scooter"
    assert line["intent"]["intentName"] == line["explanation"]["intent"] == "location"


def test_version_comes_from_the_package_metadata() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"causette {metadata.version('causette')}"


def _modules_loaded_by(code: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys\nprint('loaded:', *(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    return result.stdout.splitlines()[-1].split()[1:]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert _modules_loaded_by("import channels, channels.cli, channels.cli.main") == []


def test_help_loads_no_heavy_module() -> None:
    code = "from channels.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert _modules_loaded_by(code) == []


def test_check_loads_neither_the_web_stack_nor_torch() -> None:
    assert _modules_loaded_by(f"from channels.cli.main import main\nmain(['check', {str(MINI_BOT)!r}])") == []
