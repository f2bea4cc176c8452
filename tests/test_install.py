"""One install path: the Makefile and the Dockerfile both go through scripts/install.sh."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bench.massive_data import split

REPO = Path(__file__).resolve().parent.parent
INSTALL = "scripts/install.sh"


def _make_recipe(target: str) -> tuple[list[str], list[str]]:
    """A Makefile target's prerequisites and recipe lines, as `make` reads them (dry run)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:(.*)\n((?:\t.*\n)*)", makefile, re.MULTILINE)
    assert match, f"no target {target} in the Makefile"
    return match[1].split(), [line.strip() for line in match[2].splitlines()]


def test_makefile_and_dockerfile_install_through_the_same_script() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text(encoding="utf-8")
    docker_runs = [line for line in dockerfile.splitlines() if line.startswith("RUN ")]
    assert any(INSTALL in line for line in docker_runs)
    runtime = _make_recipe("$(VENV)/.installed")[1]
    dev = _make_recipe("$(VENV)/.installed-dev")[1]
    assert any(INSTALL in line for line in runtime) and any(INSTALL in line for line in dev)
    # No second way in: neither file installs packages itself.
    assert not [line for line in docker_runs if "pip install" in line]
    assert not [line for line in runtime + dev if "pip install" in line]
    assert "COPY scripts scripts" in dockerfile


def test_make_run_installs_no_test_tools_and_make_test_lints_first() -> None:
    run_needs, run_recipe = _make_recipe("run")
    assert run_needs == ["install"]
    assert "--dev" not in " ".join(_make_recipe("$(VENV)/.installed")[1])
    assert any("Ouvrez http://" in line for line in run_recipe)
    test_needs, _ = _make_recipe("test")
    assert "lint" in test_needs and "install-dev" in test_needs


def test_install_script_refuses_unknown_options_at_once() -> None:
    result = subprocess.run(
        ["bash", str(REPO / INSTALL), str(REPO / ".venv"), "--gpu"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "unknown option --gpu" in result.stderr


def test_licence_file_matches_the_declared_licence() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]["text"]
    assert declared == "Apache-2.0"
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence


def test_massive_release_lines_become_train_and_test_examples() -> None:
    release = [
        {
            "id": "7",
            "partition": "train",
            "intent": "alarm_set",
            "annot_utt": "réveille-moi à [time : neuf heures du matin] le [date : vendredi]",
        },
        {"id": "8", "partition": "dev", "intent": "alarm_set", "annot_utt": "une alarme"},
        {"id": "9", "partition": "test", "intent": "weather_query", "annot_utt": "quel temps fait-il"},
    ]
    examples = list(split(json.dumps(record, ensure_ascii=False) for record in release))
    assert [partition for partition, _ in examples] == ["train", "test"]
    first = examples[0][1]
    text, slots = first["text"], first["slots"]
    assert text == "réveille-moi à neuf heures du matin le vendredi"
    assert isinstance(text, str) and isinstance(slots, list)
    assert [(s["slot"], text[s["start"] : s["end"]]) for s in slots] == [
        ("time", "neuf heures du matin"),
        ("date", "vendredi"),
    ]
    assert examples[1][1] == {"id": "test-9", "text": "quel temps fait-il", "intent": "weather_query", "slots": []}


@pytest.mark.e2e
def test_a_missing_builtin_entity_parser_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    # As after a plain `pip install .`: snips-nlu-parsers cannot be an ordinary requirement.
    hide_parser = (
        "import sys; sys.modules['snips_nlu_parsers'] = None; "
        "from channels.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    command = [sys.executable, "-c", hide_parser, "parse", "tests/bots/booking", "réserver pour samedi"]
    result = subprocess.run(
        [*command, "--model-dir", str(tmp_path / "model")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "snips-nlu-parsers" in result.stderr and "scripts/install.sh" in result.stderr
