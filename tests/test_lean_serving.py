"""A served bow model is lean: no torch, no spaCy, its word vectors memory-mapped from its own folder,
and it parses exactly as the model did in the process that trained it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from nltk.tokenize import RegexpTokenizer

from nlu import Model, load_bot, train
from nlu.backends.bow.backend import BowBackend
from nlu.backends.bow.word_vectors import WordVectors
from nlu.text import tokenize
from tests.support import DEMO_BOT, MINI_BOT, REPO, ServerProcess

# Seen and unseen words, accents, elisions, hyphens, typographic apostrophes, digits, emoji.
SENTENCES = [
    "bonjour",
    "je voudrais louer un scooter",
    "une mangue",
    "je voudrais une mangue et une pastèque",
    "À quelle heure ouvrez-vous aujourd’hui ?",
    "Déjà fermé ? Va-t-il pleuvoir demain",
    "j'aimerais réserver un vélo électrique pour 2 personnes",
    "c’est combien la location d'une trottinette le 14 juillet",
    "xqzkwp vbnm",
    "rêveil sonnerie alarme",
    "merci, au revoir 🙂",
    "",
]
# Training's libraries, and those NLTK's package would import for features the stemmer does not use.
HEAVY_MODULES = ("torch", "spacy", "thinc", "scipy", "sklearn")


@pytest.fixture(scope="module")
def trained_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Model, Path]:
    """The demo bot's model as training left it in this process, and the folder it was saved to."""
    model = train(load_bot(DEMO_BOT))
    folder = tmp_path_factory.mktemp("lean-demo-model")
    model.save(folder)
    return model, folder


@pytest.fixture(scope="module")
def served_demo(trained_demo: tuple[Model, Path]) -> Iterator[ServerProcess]:
    """``causette serve`` on the saved demo model."""
    server = ServerProcess(DEMO_BOT, trained_demo[1])
    yield server
    server.stop()


@pytest.mark.e2e
def test_the_server_maps_no_torch_or_spacy_and_parses_as_training_did(
    trained_demo: tuple[Model, Path], served_demo: ServerProcess
) -> None:
    model, _ = trained_demo
    for sentence in filter(None, SENTENCES):  # the API refuses an empty text
        reply = httpx.post(f"{served_demo.url}/api/v1/parse", json={"text": sentence}, timeout=30)
        assert reply.status_code == 200
        assert reply.json() == model.parse(sentence).to_json(), sentence
    # An imported package's compiled modules stay mapped in the process: none of torch's or spaCy's.
    maps = Path(f"/proc/{served_demo.process.pid}/maps").read_text(encoding="utf-8")
    assert "site-packages/torch/" not in maps and "site-packages/spacy/" not in maps
    assert "word_vectors/rows.npy" in maps  # the vectors are read from the model folder, memory-mapped


PROBE = """
import json, sys
from pathlib import Path
from nlu import Model
model = Model.load(Path(sys.argv[1]))
parses = [model.parse(text).to_json() for text in json.loads(sys.stdin.read())]
modules = sorted(sys.modules)
import scipy.stats, sklearn  # what NLTK's import left out is still there for whoever needs it
print(json.dumps({"parses": parses, "modules": modules}))
"""


def test_loading_and_parsing_imports_no_training_library(trained_demo: tuple[Model, Path]) -> None:
    model, folder = trained_demo
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder)],
        input=json.dumps(SENTENCES),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    found = json.loads(probe.stdout)
    imported = {name.split(".")[0] for name in found["modules"]}
    assert imported.isdisjoint(HEAVY_MODULES)
    assert found["parses"] == [model.parse(sentence).to_json() for sentence in SENTENCES]


def _spacy_lookup(package: str) -> Callable[[tuple[str, str]], np.ndarray | None]:
    """The unit vector of the first of two forms that spaCy's own table knows, normalised as
    training normalises the whole table."""
    import spacy
    from spacy.strings import hash_string  # type: ignore[attr-defined]
    from spacy.vocab import Vocab

    path = spacy.util.get_package_path(package)
    vectors = Vocab().from_disk(path / f"{package}-{spacy.util.get_model_meta(path)['version']}" / "vocab").vectors
    data = np.asarray(vectors.data, dtype=np.float32)
    units = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-8)

    def lookup(forms: tuple[str, str]) -> np.ndarray | None:
        rows = [row for form in forms if (row := vectors.key2row.get(hash_string(form), -1)) >= 0]
        return units[rows[0]] if rows else None

    return lookup


def test_saved_vectors_give_exactly_what_spacys_table_gives(tmp_path: Path) -> None:
    backend = BowBackend({"hidden": 8, "epochs": 1, "min_steps": 0})
    backend.fit(load_bot(MINI_BOT).dataset)
    backend.save(tmp_path)
    saved = WordVectors.from_path(tmp_path / "word_vectors")
    assert isinstance(saved.rows.base, np.memmap)  # read from the file through a memory map
    spacy_vector = _spacy_lookup(saved.package)
    for sentence in SENTENCES:
        tokens = tokenize(sentence)
        found = [v for t in tokens if (v := spacy_vector((t.raw.lower(), t.norm))) is not None]
        expected = np.zeros(saved.width, dtype=np.float32)
        if found:
            mean = np.stack(found).mean(axis=0)
            expected = mean / (np.linalg.norm(mean) or 1.0)
        assert np.array_equal(saved.of_tokens(tokens), expected), sentence
    assert saved.of_tokens(tokenize("une mangue")).any()  # a word no training example holds


# The tokeniser as it was, through NLTK: the same expression must give the same spans.
NLTK_TOKENISER = RegexpTokenizer(r"aujourd['’]hui|[^\W_]+['’]?", flags=re.IGNORECASE | re.UNICODE)


def _euphonic_t(text: str, span: tuple[int, int]) -> bool:
    start, end = span
    return text[start:end].lower() == "t" and text[start - 1 : start] == "-"


def test_the_tokeniser_finds_the_spans_nltk_found() -> None:
    texts = [*SENTENCES, "l'heure, qu’il fait_beau Œuvre ÉTÉ straße 3e 42€ a.b-c d'_e aujourd'hui-là"]
    for part in (DEMO_BOT / name for name in ("accueil.json", "location.json", "infos_pratiques.json")):
        intents = json.loads(part.read_text(encoding="utf-8"))["intents"]
        texts += [pattern for intent in intents for pattern in intent.get("patterns", [])]
    for text in texts:
        expected = [span for span in NLTK_TOKENISER.span_tokenize(text) if not _euphonic_t(text, span)]
        assert [(token.start, token.end) for token in tokenize(text)] == expected, text
