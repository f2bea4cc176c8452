"""The bow backend's saved model: reloads identically, refuses tampering, is deterministic; averaged networks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlu import Model, ModelError, available_backends, get_backend, load_bot, train
from nlu.backends.bow.backend import BowBackend
from nlu.backends.bow.network import FastForward
from nlu.backends.bow.options import LARGE_DATASET
from nlu.dataset import Dataset, Intent, Utterance
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


def _averaged_backend(networks: int | None, dataset: Dataset) -> BowBackend:
    backend = BowBackend({"networks": networks, "hidden": 8, "epochs": 1, "min_steps": 0})
    backend.fit(dataset)
    return backend


def test_several_networks_average_their_probabilities_and_reload(tmp_path: Path) -> None:
    backend = _averaged_backend(3, load_bot(MINI_BOT).dataset)
    assert len(backend.networks) == 3
    encoded = backend.encode("je voudrais louer un scooter")
    alone = [FastForward([network]).probabilities(*encoded) for network in backend.networks]
    assert not np.allclose(alone[0], alone[1])  # different starting weights, different networks
    averaged = backend._forward.probabilities(*encoded)
    assert np.allclose(averaged, np.mean(alone, axis=0))
    backend.save(tmp_path)
    reloaded = BowBackend.load(tmp_path)
    for phrase in PHRASES:
        assert reloaded.parse(phrase) == backend.parse(phrase)


def test_network_count_defaults_to_the_dataset_size() -> None:
    def dataset(examples: int) -> Dataset:
        halves = [[Utterance.plain(f"{word} numéro {n}") for n in range(examples // 2)] for word in ("pomme", "poire")]
        return Dataset(intents=[Intent(name=f"intent_{i}", utterances=u) for i, u in enumerate(halves)])

    assert len(_averaged_backend(None, dataset(200)).networks) == 1
    assert len(_averaged_backend(None, dataset(LARGE_DATASET)).networks) == 5
    assert len(_averaged_backend(2, dataset(LARGE_DATASET)).networks) == 2
