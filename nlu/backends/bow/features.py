"""Turning text into the sparse features the bag-of-words network reads."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.text import Token

UNIT = "vocabulary"
FORMAT = 1
VOCABULARY_FILE = "vocabulary.json"


def token_features(tokens: list[Token], char_ngrams: tuple[int, int]) -> list[str]:
    """Stems, stem bigrams and character n-grams of the folded words.

    Stems carry meaning across inflections (louer, louez); character n-grams survive typos and
    words the stemmer cuts differently; bigrams keep a little word order ("plus tard").
    """
    stems = [token.stem for token in tokens]
    features = [f"w={s}" for s in stems]
    features += [f"b={a}_{b}" for a, b in itertools.pairwise(stems)]
    low, high = char_ngrams
    for token in tokens:
        padded = f"<{token.norm}>"
        for size in range(low, high + 1):
            features += [f"c={padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    return features


class _SavedVocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    features: list[str]
    idf: list[float]


class Vocabulary:
    """Feature names to column indices, with inverse document frequencies."""

    def __init__(self, names: list[str], idf: list[float]) -> None:
        if len(names) != len(idf):
            raise ValueError(f"{len(names)} features but {len(idf)} idf weights")
        self.names = names
        self.idf = idf
        self.index = {name: i for i, name in enumerate(names)}

    @classmethod
    def fit(cls, documents: Iterable[list[str]], min_count: int) -> Vocabulary:
        """Keep features seen in at least ``min_count`` documents (word stems always), weighted by
        scikit-learn's smoothed idf, ``ln((1 + documents) / (1 + documents with it)) + 1``."""
        # Imported here: parsing reads a saved vocabulary and never needs scikit-learn.
        from sklearn.feature_extraction.text import TfidfVectorizer

        documents = list(documents)
        if not any(documents):  # TfidfVectorizer refuses to learn an empty vocabulary
            return cls([], [])
        # The documents are feature lists already (the backend computes each text's once).
        vectorizer = TfidfVectorizer(analyzer=_given, sublinear_tf=True, smooth_idf=True, norm="l2")
        counts = vectorizer.fit_transform(documents).tocsc()
        document_frequency = np.diff(counts.indptr)  # nonzero rows per column
        names = vectorizer.get_feature_names_out()
        kept = (document_frequency >= min_count) | np.char.startswith(names.astype(str), "w=")
        return cls(names[kept].tolist(), vectorizer.idf_[kept].tolist())

    def encode(self, features: list[str]) -> tuple[list[int], list[float]]:
        """Indices of known features with L2-normalised tf-idf weights (empty when none known):
        what TfidfVectorizer(sublinear_tf=True).transform gives, without its per-call cost."""
        counts = Counter(i for name in features if (i := self.index.get(name)) is not None)
        weights = {i: (1 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return list(weights), [w / norm for w in weights.values()]

    def persist(self, folder: Path) -> None:
        """Save to ``folder`` (created): its metadata and the features with their idf, as JSON."""
        write_metadata(folder, UNIT, FORMAT)
        saved = _SavedVocabulary(features=self.names, idf=self.idf)
        (folder / VOCABULARY_FILE).write_text(saved.model_dump_json(), encoding="utf-8")

    @classmethod
    def from_path(cls, folder: Path) -> Vocabulary:
        """Load what persist() saved; ModelError for another unit or format."""
        check_metadata(folder, UNIT, FORMAT)
        saved = _SavedVocabulary.model_validate_json((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(saved.features, saved.idf)


def _given(features: list[str]) -> list[str]:
    """TfidfVectorizer's analyzer for documents that are feature lists already."""
    return features
