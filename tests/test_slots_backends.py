"""Slots from both backends: the seed's two Snips examples, synonyms, closed entities, reloads."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from nlu import Model, ModelError, available_backends, get_backend, load_bot, load_or_train
from nlu.parse_result import ParseResult
from tests.support import REPO

SEED_BOT = REPO / "tests" / "bots" / "seed_snips"
BACKENDS = ["bow", "snips"]
PHRASES = [
    "Quelle est la capitale du Burundi ?",
    "Le lendemain du 14 juillet 2018, quel jour on sera ?",
    "Quelle est la capitale des USA ?",
    "bonjour",
    "xqzkwp vbnm",
]


def trained(bot_dir: Path, backend: str, folder: Path) -> Path:
    """Train ``bot_dir`` with ``backend`` (whatever its bot.toml says) into ``folder``."""
    bot = load_bot(bot_dir)
    bot.config.backend = backend
    load_or_train(bot, folder)
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def seed_model_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's Snips bot trained with each backend, once per module."""
    return trained(SEED_BOT, request.param, tmp_path_factory.mktemp(f"seed-{request.param}"))


@pytest.fixture(scope="module")
def seed_model(seed_model_dir: Path) -> Model:
    return Model.load(seed_model_dir)


def only_slot(result: ParseResult, name: str) -> dict[str, Any]:
    slots: list[dict[str, Any]] = [s for s in result.to_json()["slots"] if s["slotName"] == name]
    assert len(slots) == 1, result.to_json()
    return slots[0]


def test_capital_of_burundi_gives_the_custom_country_slot(seed_model: Model) -> None:
    text = "Quelle est la capitale du Burundi ?"
    result = seed_model.parse(text)
    assert result.intent.intent_name == "searchCountryCapital"
    slot = only_slot(result, "country")
    assert slot["entity"] == "country_fr"
    assert slot["rawValue"] == "Burundi"
    assert text[slot["range"]["start"] : slot["range"]["end"]] == "Burundi"
    assert slot["value"] == {"kind": "Custom", "value": "Burundi"}


def test_day_after_14_july_2018_resolves_to_the_15th(seed_model: Model) -> None:
    result = seed_model.parse("Le lendemain du 14 juillet 2018, quel jour on sera ?")
    assert result.intent.intent_name == "sayWhatWeekDayOnDate"
    slot = only_slot(result, "date")
    assert slot["entity"] == "snips/datetime"
    assert slot["range"] == {"start": 0, "end": 31}
    assert slot["rawValue"] == "Le lendemain du 14 juillet 2018"
    assert slot["value"]["kind"] == "InstantTime"
    assert slot["value"]["grain"] == "Day"
    assert slot["value"]["value"].startswith("2018-07-15 00:00:00")


def test_a_synonym_resolves_to_its_value(seed_model: Model) -> None:
    slot = only_slot(seed_model.parse("Quelle est la capitale des USA ?"), "country")
    assert slot["rawValue"] == "USA"
    assert slot["value"] == {"kind": "Custom", "value": "États-Unis"}


def test_an_extensible_entity_accepts_a_value_it_does_not_list(seed_model: Model) -> None:
    slot = only_slot(seed_model.parse("Quelle est la capitale du Groenland ?"), "country")
    assert slot["value"] == {"kind": "Custom", "value": "Groenland"}


def test_a_closed_entity_refuses_values_it_does_not_list(booking_model: Model) -> None:
    listed = booking_model.parse("je voudrais réserver un scooter verte pour samedi")
    assert listed.intent.intent_name == "reservation"
    assert only_slot(listed, "couleur")["value"] == {"kind": "Custom", "value": "vert"}
    unlisted = booking_model.parse("je voudrais réserver un scooter jaune pour samedi")
    assert unlisted.intent.intent_name == "reservation"
    assert [s.slot_name for s in unlisted.slots] == ["date"]


def test_slots_come_in_the_seed_json_shape(seed_model: Model) -> None:
    slot = seed_model.parse("Quelle est la capitale du Burundi ?").to_json()["slots"][0]
    assert set(slot) == {"entity", "range", "rawValue", "slotName", "value"}


def test_saved_model_reloads_with_identical_parses(seed_model: Model, tmp_path: Path) -> None:
    seed_model.save(tmp_path / "copy")
    reloaded = Model.load(tmp_path / "copy")
    for phrase in PHRASES:
        assert reloaded.parse(phrase).to_json() == seed_model.parse(phrase).to_json()


def test_a_modified_file_deep_in_the_model_is_refused(seed_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(seed_model_dir, folder)
    saved = [p for p in folder.rglob("*") if p.is_file() and p.name != "causette-model.json"]
    deepest = max(saved, key=lambda p: (len(p.parts), p.name))
    deepest.write_bytes(deepest.read_bytes() + b" ")
    with pytest.raises(ModelError, match="modified"):
        Model.load(folder)


def test_saved_models_hold_no_pickle(seed_model_dir: Path) -> None:
    for path in seed_model_dir.rglob("*"):
        if path.is_file():
            assert path.suffix not in {".pkl", ".pickle", ".joblib"}
            assert path.read_bytes()[:2] not in {b"\x80\x03", b"\x80\x04", b"\x80\x05"}, path


def test_both_backends_are_registered() -> None:
    assert {"bow", "snips"} <= set(available_backends())
    assert get_backend("snips").name == "snips"
