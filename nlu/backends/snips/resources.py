"""Generate the French language resources snips-nlu needs, locally and offline.

``snips-nlu download fr`` fetches them from GitHub, which is not available here,
so an equivalent folder is built from installed packages:

- stems: NLTK's French Snowball stemmer (pure code, no ``nltk_data``) applied to
  wordfreq's French word list;
- ``top_10000_words_stemmed`` gazetteer (CONFIG_FR's common-words feature): the
  stems of the 10,000 most frequent French words;
- noise (random words used to build the "no intent" class): words drawn from the
  same list with their frequencies, with a fixed seed;
- stop words: the ``stop-words`` package's French list.

wordfreq's word data is CC BY-SA, so the folder is generated at train time and
never committed. It is the folder ``snips_nlu.resources.load_resources`` reads; a
persisted engine keeps its own copy, so loading does not need it.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Bump when the generated content changes, so cached folders are rebuilt.
RECIPE_VERSION = 1
LANGUAGE = "fr"
GAZETTEER_NAME = "top_10000_words_stemmed"
GAZETTEER_SIZE = 10_000
STEMMED_VOCABULARY_SIZE = 50_000
NOISE_SIZE = 30_000
NOISE_SEED = 20_200_124

# snips' tokenize_light splits on apostrophes and hyphens, so only plain
# alphabetic words can ever be looked up as tokens.
_WORD = re.compile(r"[^\W\d_]+")


def build_french_resources(folder: Path) -> Path:
    """Return ``folder`` holding French snips resources, building it if needed.

    A folder whose ``metadata.json`` matches the current recipe and whose files
    all exist is reused as is. Otherwise it is rebuilt in a temporary sibling
    folder and swapped in, so an interrupted build never looks complete.
    """
    folder = Path(folder)
    expected = _metadata()
    if _is_complete(folder, expected):
        return folder
    _refuse_foreign(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the result is plain data
    try:
        _write_resources(staging, expected)
        if folder.exists():
            shutil.rmtree(folder)
        try:
            os.replace(staging, folder)
        except OSError:
            # Another process may have finished the same build meanwhile.
            if not _is_complete(folder, expected):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _refuse_foreign(folder: Path) -> None:
    """Raise unless ``folder`` is absent, empty or an (outdated) resources folder.

    An outdated folder is deleted and rebuilt: never delete anything else.
    """
    if not folder.exists() or not any(folder.iterdir()):
        return
    if (_read_metadata(folder) or {}).get("name") != _metadata()["name"]:
        raise FileExistsError(f"{folder} is not empty and is not a resources folder")


def _read_metadata(folder: Path) -> dict[str, Any] | None:
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf8"))
    except (OSError, ValueError):
        return None
    return metadata if isinstance(metadata, dict) else None


def _metadata() -> dict[str, Any]:
    """The metadata ``load_resources_from_dir`` reads, plus provenance fields."""
    return {
        "name": "causette_snips_nlu_fr",
        "language": LANGUAGE,
        "version": str(RECIPE_VERSION),
        "description": "French resources generated locally for snips-nlu 0.20.2",
        "sources": {
            "stems": "nltk FrenchStemmer (Snowball) over wordfreq's French list",
            "gazetteers": "wordfreq (CC BY-SA 4.0), stemmed",
            "noise": "wordfreq (CC BY-SA 4.0), sampled by frequency",
            "stop_words": "stop-words package",
        },
        "gazetteers": [GAZETTEER_NAME],
        "word_clusters": [],  # CONFIG_FR uses no word clusters
        "stems": "stems",
        "noise": "noise",
        "stop_words": "stop_words",
    }


def _resource_files(folder: Path) -> list[Path]:
    return [
        folder / "stop_words.txt",
        folder / "noise.txt",
        folder / "stemming" / "stems.txt",
        folder / "gazetteers" / f"{GAZETTEER_NAME}.txt",
    ]


def _is_complete(folder: Path, expected: dict[str, Any]) -> bool:
    return _read_metadata(folder) == expected and all(p.is_file() for p in _resource_files(folder))


def _write_resources(folder: Path, metadata: dict[str, Any]) -> None:
    from nltk.stem.snowball import FrenchStemmer
    from snips_nlu_utils import normalize

    words = _french_words(STEMMED_VOCABULARY_SIZE)
    stemmer = FrenchStemmer()
    # snips looks stems up by normalized token (lowercase, accents stripped), and
    # compares gazetteer entries with those stems, so both are normalized.
    stems = {w: normalize(stemmer.stem(w)) for w in words}
    (folder / "stemming").mkdir()
    (folder / "gazetteers").mkdir()
    _write_lines(folder / "stemming" / "stems.txt", _stem_lines(stems, normalize))
    _write_lines(
        folder / "gazetteers" / f"{GAZETTEER_NAME}.txt",
        sorted({stems[w] for w in words[:GAZETTEER_SIZE]}),
    )
    _write_lines(folder / "stop_words.txt", _stop_words(normalize))
    (folder / "noise.txt").write_text(" ".join(_noise(words[:GAZETTEER_SIZE])), "utf8")
    # Written last: its presence marks the folder as complete.
    (folder / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True, ensure_ascii=False), "utf8")


def _french_words(count: int) -> list[str]:
    """The ``count`` most frequent plain French words, most frequent first."""
    from wordfreq import iter_wordlist

    words: list[str] = []
    for word in iter_wordlist(LANGUAGE, wordlist="large"):
        if _WORD.fullmatch(word):
            words.append(word)
            if len(words) == count:
                break
    return words


def _stem_lines(stems: dict[str, str], normalize: Callable[[str], str]) -> list[str]:
    """Lines ``stem,word1,word2,...`` keyed by normalized word, as snips reads them."""
    by_stem: dict[str, set[str]] = {}
    seen: set[str] = set()
    for word, stem in stems.items():  # most frequent first: it wins on collisions
        key = normalize(word)
        if key in seen:
            continue
        seen.add(key)
        if key != stem:  # snips falls back to the token itself
            by_stem.setdefault(stem, set()).add(key)
    return [",".join([stem, *sorted(keys)]) for stem, keys in sorted(by_stem.items())]


def _stop_words(normalize: Callable[[str], str]) -> list[str]:
    """French stop words, normalized as snips compares them (single tokens only)."""
    from stop_words import get_stop_words

    normalized = {normalize(w) for w in get_stop_words(LANGUAGE) if _WORD.fullmatch(w)}
    return sorted(normalized)


def _noise(words: list[str]) -> list[str]:
    """Running-text-like word sequence: frequent words appear as often as in text."""
    from wordfreq import word_frequency

    weights = [word_frequency(w, LANGUAGE, wordlist="large") for w in words]
    return random.Random(NOISE_SEED).choices(words, weights=weights, k=NOISE_SIZE)


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf8")
