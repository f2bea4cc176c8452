"""French text processing: tokens with offsets, elisions, hyphens, accent folding, stems.

Everything here is pure code (a regular expression and NLTK's French Snowball stemmer): nothing
is downloaded. Tokens keep their character offsets in the original text so that slot spans and
explanations can point back at what the user typed.

NLTK is imported at the first stem, not with this module, and without the optional libraries its
package would load for its other features (see _stemmer).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.stem.snowball import FrenchStemmer

# Elided articles and pronouns, restored to their full form so that "l'heure" and "la heure"
# share features and the network sees "je" whether or not the user wrote "j'".
ELISIONS: dict[str, str] = {
    "l": "le",
    "j": "je",
    "qu": "que",
    "d": "de",
    "n": "ne",
    "s": "se",
    "c": "ce",
    "m": "me",
    "t": "te",
    "jusqu": "jusque",
    "lorsqu": "lorsque",
    "puisqu": "puisque",
}

# French function words, shared by lint (they do not make two patterns alike) and bow's noise
# phrases (a salad of them means nothing).
ARTICLES = ("le", "la", "les", "un", "une", "des", "du", "de")
SUBJECT_PRONOUNS = ("je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles")
POSSESSIVES = ("mon", "ton", "son", "ma", "ta", "sa")

# "aujourd'hui" is one word although it contains an apostrophe; letters then an optional
# apostrophe (straight or typographic) otherwise. Hyphens and punctuation separate tokens.
_WORD = re.compile(r"aujourd['’]hui|[^\W_]+['’]?", flags=re.IGNORECASE | re.UNICODE)
# NLTK's package imports scipy.stats and scikit-learn for features the stemmer does not use: more
# than a second of CPU and about 90 MiB per process. It imports them under `except ImportError`.
_NLTK_OPTIONAL = ("scipy", "sklearn")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "’": "'", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the input: its span in the original text, its normal form and its stem."""

    start: int
    end: int
    raw: str
    norm: str
    stem: str


def fold(text: str) -> str:
    """Lower-case and strip accents: "À quelle heure" -> "a quelle heure"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """French Snowball stem of a lower-case word, accent-folded afterwards.

    Stemming before folding keeps the stemmer's accent-aware rules; folding after makes
    "à" and "a", "préféré" and "prefere" meet.
    """
    return fold(_stemmer().stem(word))


@cache
def _stemmer() -> FrenchStemmer:
    """NLTK's French stemmer, imported with scipy and scikit-learn hidden (as if not installed)
    unless the process has them already; they are importable again as soon as NLTK is loaded."""
    hidden = [name for name in _NLTK_OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # None: the import raises ImportError
    try:
        from nltk.stem.snowball import FrenchStemmer
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return FrenchStemmer()


def tokenize(text: str) -> list[Token]:
    """Split French text into tokens with offsets into ``text``.

    Elisions are restored (j' -> je), the euphonic -t- of "va-t-il" is dropped, hyphenated forms
    are split (est-ce -> est, ce), punctuation is dropped.
    """
    tokens: list[Token] = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        raw = match.group()
        word = raw.translate(_LIGATURES).lower()
        if word.endswith("'") and word != "aujourd'hui":
            word = ELISIONS.get(word[:-1], word[:-1])
        elif word == "t" and start > 0 and text[start - 1] == "-":
            continue
        if not word:
            continue
        tokens.append(Token(start, end, raw, fold(word), stem(word)))
    return tokens


def clean_input(text: str, max_chars: int) -> str:
    """Make untrusted text safe to process: no control characters, no lone surrogates, bounded.

    Binary garbage and hostile input end up as ordinary (possibly empty) text rather than errors
    deep inside a backend.
    """
    text = text[:max_chars].encode("utf-8", "replace").decode("utf-8")
    return "".join(c if c.isprintable() or c in "\t\n" else " " for c in text).strip()


def normal_form(text: str) -> str:
    """A pattern reduced to what the models see: folded words, no punctuation."""
    return " ".join(token.norm for token in tokenize(text))
