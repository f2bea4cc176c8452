"""Turning text into the sparse features the bag-of-words network reads."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable

from nlu.text import Token


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


class Vocabulary:
    """Feature names to column indices, with inverse document frequencies."""

    def __init__(self, names: list[str], idf: list[float]) -> None:
        self.names = names
        self.idf = idf
        self.index = {name: i for i, name in enumerate(names)}

    @classmethod
    def fit(cls, documents: Iterable[list[str]], min_count: int) -> Vocabulary:
        """Keep features seen in at least ``min_count`` documents (word stems always)."""
        document_frequency: Counter[str] = Counter()
        total = 0
        for features in documents:
            document_frequency.update(set(features))
            total += 1
        names = sorted(
            name for name, count in document_frequency.items() if count >= min_count or name.startswith("w=")
        )
        idf = [math.log((1 + total) / (1 + document_frequency[name])) + 1 for name in names]
        return cls(names, idf)

    def encode(self, features: list[str]) -> tuple[list[int], list[float]]:
        """Indices of known features with L2-normalised tf-idf weights (empty when none known)."""
        counts = Counter(i for name in features if (i := self.index.get(name)) is not None)
        weights = {i: (1 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return list(weights), [w / norm for w in weights.values()]
