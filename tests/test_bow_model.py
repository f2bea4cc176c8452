"""The bow backend's saved model: reloads identically, refuses tampering, is deterministic; averaged
networks and the linear classifier mixed with them."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from nlu import Model, ModelError, available_backends, get_backend, load_bot, load_or_train, train
from nlu.backends.bow.backend import BowBackend
from nlu.backends.bow.features import Vocabulary, token_features
from nlu.backends.bow.forward import LINEAR_SHARPNESS, Encoded, FastForward
from nlu.backends.bow.network import Ensemble, LinearClassifier, flatten, train_linear
from nlu.backends.bow.options import LARGE_DATASET
from nlu.dataset import Dataset, Intent, Utterance
from nlu.model import MAX_PARSE_CHARS, clean, parse_untrusted
from nlu.parse_result import empty_result
from nlu.text import tokenize
from tests.support import BOT_DATA, DEMO_BOT, MINI_BOT, run_cli

PHRASES = [
    "je voudrais louer un scooter",
    "pour aujourd'hui",
    "a quelle heure vous ouvrez",
    "au revoir",
    "xqzkwp vbnm",
    "",
    "🙂" * 40,
]


def test_reloaded_model_parses_identically(mini_model: Model, tmp_path: Path) -> None:
    mini_model.save(tmp_path / "copy")
    reloaded = Model.load(tmp_path / "copy")
    for phrase in PHRASES:
        assert reloaded.parse(phrase).to_json() == mini_model.parse(phrase).to_json()


def test_saved_model_holds_tensors_and_json_only(mini_model_dir: Path) -> None:
    names = sorted(p.relative_to(mini_model_dir).as_posix() for p in mini_model_dir.rglob("*") if p.is_file())
    assert names == [
        "bow.json",
        "causette-model.json",
        "metadata.json",
        "networks/metadata.json",
        "networks/networks.json",
        "networks/weights.safetensors",
        "vocabulary/metadata.json",
        "vocabulary/vocabulary.json",
        "word_vectors/key_rows.npy",
        "word_vectors/keys.npy",
        "word_vectors/metadata.json",
        "word_vectors/rows.npy",
        "word_vectors/word_vectors.json",
    ]
    metadata = json.loads((mini_model_dir / "causette-model.json").read_text())
    assert metadata["content_hash"] == load_bot(MINI_BOT).dataset.content_hash
    assert metadata["backend"] == "bow"


@pytest.mark.parametrize(
    "victim",
    [
        "networks/weights.safetensors",
        "vocabulary/vocabulary.json",
        "word_vectors/rows.npy",
        "bow.json",
        "causette-model.json",
    ],
)
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


def test_a_model_is_current_for_the_content_and_backend_it_was_trained_on(mini_model: Model, tmp_path: Path) -> None:
    assert mini_model.info.is_current(load_bot(MINI_BOT))
    other_backend = load_bot(MINI_BOT)
    other_backend.config.backend = "snips"
    assert not mini_model.info.is_current(other_backend)
    edited = tmp_path / "bot"
    shutil.copytree(MINI_BOT, edited, ignore=BOT_DATA)
    intents = edited / "intents.json"
    intents.write_text(intents.read_text(encoding="utf-8").replace("au revoir", "à bientôt"), encoding="utf-8")
    assert not mini_model.info.is_current(load_bot(edited))


def test_parse_untrusted_cleans_before_parsing(mini_model: Model) -> None:
    hostile = "au\x00revoir\x1b\ud800" + "x" * 5000
    result = parse_untrusted(mini_model.backend, hostile)
    assert result == mini_model.parse(hostile)
    assert result.input == clean(hostile) and len(result.input) == MAX_PARSE_CHARS
    assert parse_untrusted(mini_model.backend, "\x00\x01 ") == empty_result("")


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


def test_examples_without_a_readable_word_are_a_model_error() -> None:
    dataset = Dataset(intents=[Intent(name="emoji", utterances=[Utterance.plain("🙂"), Utterance.plain("!!!")])])
    with pytest.raises(ModelError, match="no training example has a word or character"):
        BowBackend({"word_vectors": False}).fit(dataset)


def _averaged_backend(networks: int | None, dataset: Dataset, linear: bool | None = None) -> BowBackend:
    backend = BowBackend(
        {"networks": networks, "linear": linear, "hidden": 8, "epochs": 1, "min_steps": 0, "linear_iterations": 50}
    )
    backend.fit(dataset)
    return backend


def _ensemble(backend: BowBackend) -> Ensemble:
    """The trained backend's ensemble."""
    assert backend.ensemble is not None
    return backend.ensemble


def _linear(ensemble: Ensemble) -> LinearClassifier:
    """The ensemble's linear classifier (the test trained one)."""
    assert ensemble.linear is not None
    return ensemble.linear


def _probabilities(backend: BowBackend, text: str) -> np.ndarray:
    """What the backend answers for ``text``: its probabilities in the networks' class order (the
    intents, then "none")."""
    scores = backend.probabilities(text)
    assert scores is not None and list(scores) == [*backend.labels, None]
    return np.asarray(list(scores.values()))


def test_several_networks_average_their_probabilities_and_reload(tmp_path: Path) -> None:
    backend = _averaged_backend(3, load_bot(MINI_BOT).dataset)
    networks = _ensemble(backend).members
    assert len(networks) == 3 and _ensemble(backend).linear is None
    phrase = "je voudrais louer un scooter"
    encoded = backend.encode(phrase)
    alone = [Ensemble([network], None, 0.0).forward_pass().probabilities(*encoded) for network in networks]
    assert not np.allclose(alone[0], alone[1])  # different starting weights, different networks
    assert np.allclose(_probabilities(backend, phrase), np.mean(alone, axis=0))
    backend.save(tmp_path)
    reloaded = BowBackend.load(tmp_path)
    for phrase in PHRASES:
        assert reloaded.parse(phrase) == backend.parse(phrase)


def test_linear_classifier_is_mixed_in_at_its_weight_and_reloads(tmp_path: Path) -> None:
    backend = _averaged_backend(2, load_bot(MINI_BOT).dataset, linear=True)
    ensemble = _ensemble(backend)
    phrase = "je voudrais louer un scooter"
    encoded = backend.encode(phrase)
    networks = Ensemble(ensemble.members, None, 0.0).forward_pass().probabilities(*encoded)
    linear = Ensemble(ensemble.members, _linear(ensemble), 1.0).forward_pass().probabilities(*encoded)
    assert ensemble.linear_weight == 0.5
    assert np.allclose(_probabilities(backend, phrase), (networks + linear) / 2)
    assert backend.labels[int(np.argmax(linear))] == "location"  # the linear classifier learnt on its own
    backend.save(tmp_path)
    reloaded = BowBackend.load(tmp_path)
    # Served without torch: the reloaded forward pass mixes the linear classifier in the same way.
    assert np.allclose(_probabilities(reloaded, phrase), _probabilities(backend, phrase))
    for phrase in PHRASES:
        assert reloaded.parse(phrase) == backend.parse(phrase)


def test_numpy_forward_equals_torch_forward(tmp_path: Path) -> None:
    """FastForward (numpy, used to parse) computes what the trained torch modules compute: the
    networks' softmaxes averaged, mixed with the linear classifier's sharpened softmax."""
    backend = _averaged_backend(2, load_bot(MINI_BOT).dataset, linear=True)
    ensemble = _ensemble(backend)
    classifier = _linear(ensemble)
    assert ensemble.members[0].input.vectors is not None and classifier.vectors is not None
    for phrase in ["je voudrais louer un scooter", "vous ouvrez quand ?", "une moto bleue"]:
        inputs = flatten([backend.encode(phrase)])
        with torch.no_grad():
            networks = torch.stack([torch.softmax(n(*inputs), dim=1) for n in ensemble.members]).mean(dim=0)
            linear = torch.softmax(LINEAR_SHARPNESS * classifier(*inputs), dim=1)
        expected = (1 - ensemble.linear_weight) * networks + ensemble.linear_weight * linear
        assert np.allclose(_probabilities(backend, phrase), expected[0].numpy(), atol=1e-6)


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("networks/metadata.json", lambda state: state.update(format=2), "another version"),
        ("vocabulary/metadata.json", lambda state: state.update(unit="networks"), "not 'vocabulary'"),
        ("word_vectors/metadata.json", lambda state: state.update(format=1), "another version"),
        ("word_vectors/word_vectors.json", lambda state: state.update(words=1), "do not match"),
        ("networks/networks.json", lambda state: state.update(hidden=9), "do not match their shape"),
        ("networks/networks.json", lambda state: state.update(linear="no"), "valid boolean"),
        ("vocabulary/vocabulary.json", lambda state: state["idf"].pop(), "features but"),
    ],
)
def test_inconsistent_saved_unit_is_a_model_error(
    tmp_path: Path, file: str, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    backend = BowBackend({"hidden": 8, "epochs": 1, "min_steps": 0})
    backend.fit(load_bot(MINI_BOT).dataset)
    backend.save(tmp_path)
    state = json.loads((tmp_path / file).read_text(encoding="utf-8"))
    change(state)
    (tmp_path / file).write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        BowBackend.load(tmp_path)


def test_each_unit_saves_and_loads_itself(tmp_path: Path) -> None:
    backend = _averaged_backend(2, load_bot(MINI_BOT).dataset, linear=True)
    backend.vocabulary.persist(tmp_path / "vocabulary")
    _ensemble(backend).forward_pass().persist(tmp_path / "networks")
    vocabulary = Vocabulary.from_path(tmp_path / "vocabulary")
    assert (vocabulary.names, vocabulary.idf) == (backend.vocabulary.names, backend.vocabulary.idf)
    encoded = backend.encode("je voudrais louer un scooter")
    reloaded = FastForward.from_path(tmp_path / "networks")
    assert np.array_equal(reloaded.probabilities(*encoded), _ensemble(backend).forward_pass().probabilities(*encoded))
    with pytest.raises(ModelError, match="holds a 'vocabulary' unit, not 'networks'"):
        FastForward.from_path(tmp_path / "vocabulary")


def _write_previous_layout(folder: Path) -> None:
    """A model folder as the previous bow format saved it: one bow.json (format 2) and the weights
    beside it, hashed in causette-model.json as Model.save did."""
    metadata = json.loads((folder / "causette-model.json").read_text(encoding="utf-8"))
    for path in folder.iterdir():
        if path.name != "causette-model.json":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    state = {"format": 2, "options": {}, "networks": 1, "linear": False, "labels": [], "features": [], "idf": []}
    (folder / "bow.json").write_text(json.dumps(state), encoding="utf-8")
    (folder / "weights.safetensors").write_bytes(b"{}")
    metadata["files"] = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("bow.json", "weights.safetensors")
    }
    (folder / "causette-model.json").write_text(json.dumps(metadata), encoding="utf-8")


def test_a_model_in_the_previous_layout_is_refused_then_retrained(mini_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(mini_model_dir, folder)
    _write_previous_layout(folder)
    with pytest.raises(ModelError, match="another version of the bow backend; retrain it"):
        Model.load(folder)
    retrained = load_or_train(load_bot(MINI_BOT), folder)
    assert retrained.parse("au revoir").intent.intent_name == "au_revoir"
    assert Model.load(folder).parse("au revoir").to_json() == retrained.parse("au revoir").to_json()


def _previous_vocabulary(documents: list[list[str]], min_count: int) -> tuple[list[str], list[float]]:
    """The tf-idf vocabulary as the bow backend computed it by hand before scikit-learn did."""
    document_frequency: Counter[str] = Counter()
    for features in documents:
        document_frequency.update(set(features))
    names = sorted(n for n, count in document_frequency.items() if count >= min_count or n.startswith("w="))
    return names, [math.log((1 + len(documents)) / (1 + document_frequency[n])) + 1 for n in names]


@pytest.mark.parametrize("bot", [MINI_BOT, DEMO_BOT])
@pytest.mark.parametrize("min_count", [1, 2])
def test_tfidf_vocabulary_is_the_previous_computation(bot: Path, min_count: int) -> None:
    """TfidfVectorizer keeps the same features with the same idf, and encode() weighs a text as its
    transform() does."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [u.text for intent in load_bot(bot).dataset.intents for u in intent.utterances]
    documents = [token_features(tokenize(text), (3, 5)) for text in texts]
    vocabulary = Vocabulary.fit(documents, min_count)
    assert (vocabulary.names, vocabulary.idf) == _previous_vocabulary(documents, min_count)
    reference = TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True, vocabulary=vocabulary.names)
    reference.idf_ = np.asarray(vocabulary.idf)
    checked = [*documents[:50], ["w=inconnu", "c=<xq"]]
    expected = reference.transform(checked).toarray()
    for document, row in zip(checked, expected, strict=True):
        indices, weights = vocabulary.encode(document)
        encoded = np.zeros(len(vocabulary.names))
        encoded[indices] = weights
        assert np.allclose(encoded, row, rtol=1e-12, atol=1e-15)


def test_linear_classifier_reaches_linear_svc_optimum() -> None:
    """train_linear solves scikit-learn's LinearSVC problem (squared hinge, one-vs-rest, penalised
    intercept): the same decision function on the same inputs."""
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    intents = load_bot(MINI_BOT).dataset.intents
    texts = [u.text for intent in intents for u in intent.utterances]
    labels = [i for i, intent in enumerate(intents) for _ in intent.utterances]
    features = [token_features(tokenize(text), (3, 5)) for text in texts]
    vocabulary = Vocabulary.fit(features, min_count=1)
    encoded: list[Encoded] = [(*vocabulary.encode(f), None) for f in features]
    linear = LinearClassifier(len(vocabulary.names), len(intents))
    train_linear(linear, flatten(encoded), torch.tensor(labels), c=1.0, max_iterations=1000, progress=lambda *_: None)
    rows = [r for r, (indices, _, _) in enumerate(encoded) for _ in indices]
    matrix = csr_matrix(
        ([w for _, weights, _ in encoded for w in weights], (rows, [i for indices, _, _ in encoded for i in indices])),
        shape=(len(encoded), len(vocabulary.names)),
    )
    svc = LinearSVC(C=1.0, tol=1e-8, max_iter=100_000).fit(matrix, labels)
    ours = linear(*flatten(encoded)).detach().numpy()
    assert np.abs(ours - svc.decision_function(matrix)).max() < 1e-2
    assert (ours.argmax(axis=1) == np.asarray(labels)).mean() > 0.9


def test_network_count_and_linear_classifier_default_to_the_dataset_size() -> None:
    def dataset(examples: int) -> Dataset:
        halves = [[Utterance.plain(f"{word} numéro {n}") for n in range(examples // 2)] for word in ("pomme", "poire")]
        return Dataset(intents=[Intent(name=f"intent_{i}", utterances=u) for i, u in enumerate(halves)])

    small, large = _averaged_backend(None, dataset(200)), _averaged_backend(None, dataset(LARGE_DATASET))
    assert len(_ensemble(small).members) == 3 and _ensemble(small).linear is None
    assert len(_ensemble(large).members) == 5 and _ensemble(large).linear is not None
    chosen = _averaged_backend(2, dataset(LARGE_DATASET), linear=False)
    assert len(_ensemble(chosen).members) == 2 and _ensemble(chosen).linear is None
