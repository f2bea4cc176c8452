"""The bow backend's saved model: reloads identically, refuses tampering, is deterministic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlu import Model, ModelError, available_backends, get_backend, load_bot, train
from tests.support import MINI_BOT, run_cli

PHRASES = ["je voudrais louer un scooter", "pour aujourd'hui", "a quelle heure vous ouvrez",
           "au revoir", "xqzkwp vbnm", "", "🙂" * 40]


def test_reloaded_model_parses_identically(mini_model: Model, tmp_path: Path) -> None:
    mini_model.save(tmp_path / "copy")
    reloaded = Model.load(tmp_path / "copy")
    for phrase in PHRASES:
        assert reloaded.parse(phrase).to_json() == mini_model.parse(phrase).to_json()


def test_saved_model_holds_tensors_and_json_only(mini_model_dir: Path) -> None:
    names = sorted(p.name for p in mini_model_dir.iterdir())
    assert names == ["bow.json", "causette-model.json", "weights.safetensors"]
    metadata = json.loads((mini_model_dir / "causette-model.json").read_text())
    assert metadata["content_hash"] == load_bot(MINI_BOT).dataset.content_hash
    assert metadata["backend"] == "bow"


@pytest.mark.parametrize("victim", ["weights.safetensors", "bow.json", "causette-model.json"])
def test_tampered_model_fails_cleanly(mini_model_dir: Path, tmp_path: Path, victim: str) -> None:
    folder = tmp_path / "model"
    shutil.copytree(mini_model_dir, folder)
    data = bytearray((folder / victim).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / victim).write_bytes(bytes(data))
    with pytest.raises(ModelError):
        Model.load(folder)
    result = run_cli("parse", MINI_BOT, "bonjour", "--model-dir", folder)
    # The CLI notices the unusable model and retrains instead of crashing.
    assert result.returncode == 0, result.stderr
    assert Model.load(folder).parse("au revoir").intent.intent_name == "au_revoir"


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no usable model"):
        Model.load(tmp_path)


def test_training_is_deterministic(mini_model: Model) -> None:
    again = train(load_bot(MINI_BOT))
    for phrase in PHRASES:
        assert again.parse(phrase).to_json() == mini_model.parse(phrase).to_json()


def test_parse_is_snips_shaped_with_ranked_alternatives(mini_model: Model) -> None:
    result = mini_model.parse("je voudrais louer un scooter").to_json()
    assert set(result) == {"input", "intent", "slots", "alternatives"}
    assert result["intent"]["intentName"] == "location"
    probabilities = [result["intent"]["probability"]] + [a["probability"] for a in result["alternatives"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.5 < probabilities[0] <= 1.0


def test_unknown_words_give_no_intent(mini_model: Model) -> None:
    for gibberish in ["xqzkwp vbnm", "", "\x00\x01", "!!!???"]:
        assert mini_model.parse(gibberish).intent.intent_name is None


def test_registry_lists_builtins_and_rejects_unknown_names() -> None:
    assert "bow" in available_backends()
    assert get_backend("bow").name == "bow"
    with pytest.raises(ValueError, match="unknown backend 'nope'"):
        get_backend("nope")
