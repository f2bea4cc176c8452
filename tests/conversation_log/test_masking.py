"""Masking before storing: each kind of personal data in a French corpus, and ordinary text kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conversation_log import Masker
from nlu import ContentError
from nlu.config import load_config

CORPUS: dict[str, Any] = json.loads((Path(__file__).parent.parent / "data" / "personal_data_fr.json").read_text())


@pytest.mark.parametrize("case", CORPUS["masked"], ids=lambda case: f"{case['kind']}: {case['text'][:30]}")
def test_personal_data_is_masked(case: dict[str, str]) -> None:
    assert Masker().text(case["text"]) == case["stored"]


@pytest.mark.parametrize("case", CORPUS["left_alone"], ids=lambda case: case["kind"])
def test_ordinary_text_is_left_alone(case: dict[str, str]) -> None:
    assert Masker().text(case["text"]) == case["text"]


def test_the_corpus_covers_every_kind() -> None:
    kinds = {case["kind"] for case in CORPUS["masked"]}
    assert {"email", "telephone", "iban", "carte", "nir"} <= kinds
    assert {"prix", "date et heure", "réservation", "code postal"} <= {case["kind"] for case in CORPUS["left_alone"]}


def test_author_patterns_mask_what_they_match() -> None:
    masker = Masker({"dossier": r"DOS-\d{6}", "plaque": r"\b[A-Z]{2}-\d{3}-[A-Z]{2}\b"})
    assert masker.text("dossier DOS-123456, scooter AB-123-CD") == "dossier <DOSSIER>, scooter <PLAQUE>"
    assert masker.text("ma réservation R-2041") == "ma réservation R-2041"


def test_every_string_of_a_json_value_is_masked_and_keys_are_kept() -> None:
    parse = {"input": "au 06 12 34 56 78", "slots": [{"rawValue": "marie@exemple.fr", "value": {"value": 3}}]}
    assert Masker().json(parse) == {
        "input": "au <TELEPHONE>",
        "slots": [{"rawValue": "<EMAIL>", "value": {"value": 3}}],
    }


def test_a_broken_author_pattern_is_a_content_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bot.toml").write_text('name = "x"\n\n[privacy]\nmask_patterns = { dossier = "DOS-(" }\n')
    with pytest.raises(ContentError) as raised:
        load_config(tmp_path)
    problem = raised.value.problems[0]
    assert (problem.file, problem.line) == ("bot.toml", 4)
    assert "expression régulière invalide pour « dossier »" in raised.value.text("fr")


def test_retention_periods_come_from_bot_toml(tmp_path: Path) -> None:
    (tmp_path / "bot.toml").write_text("[privacy]\ntexts_days = 7\nrecords_days = 90\n")
    privacy = load_config(tmp_path).privacy
    assert (privacy.texts_days, privacy.records_days) == (7, 90)
