"""Out-of-scope detection, built in: what no intent of a bot is about.

Every backend learns, next to the bot's intents, a class of generic French requests that bots of
this kind do not handle (music, weather, alarms, e-mail...): sentences of MASSIVE fr-FR train
(CC BY 4.0, see ``nlu/data/NOTICE.md``) and chat interjections ("bof", "lol"), minus those too
close to the bot's own examples, so a bot that handles greetings, the weather or "ok" keeps them.
A parse that picks this class reports ``intentName: null``, as one whose best intent is below the
bot's threshold does.
"""

from __future__ import annotations

import random
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu.dataset import Dataset, Intent, Utterance
from nlu.parse_result import IntentGuess, ParseResult

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# The reserved intent a backend without a "none" class of its own learns the corpus as.
OUT_OF_SCOPE_INTENT = "__causette_out_of_scope__"
CORPUS_FILE = "out_of_scope_fr.txt"
INTERJECTIONS_FILE = "interjections_fr.txt"
# A corpus sentence whose tf-idf cosine with one of the bot's examples reaches this is the bot's
# business, not out of scope: left out.
MAX_SIMILARITY = 0.5
# Bounds on the number of sentences learnt (each backend says how many per bot example): enough
# for a small bot to learn what it does not do, few enough that training stays fast.
MIN_EXAMPLES = 700
MAX_EXAMPLES = 4000
_CHUNK = 1000  # corpus rows compared at once: bounds the similarity matrix's memory


def corpus(name: str = CORPUS_FILE) -> list[str]:
    """The lines of one of the shipped data files: out-of-domain sentences, or interjections."""
    text = files("nlu").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def out_of_scope_examples(dataset: Dataset, seed: int, per_example: float) -> list[str]:
    """Sentences for ``dataset``'s out-of-scope class, all far from its examples: the interjections,
    then corpus sentences sampled (seeded), ``per_example`` per example of the bot within the bounds.
    None at all when no corpus sentence is far from the bot: the corpus is then the bot's own
    subject (MASSIVE trained as a bot), which trains exactly as it would without this class."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # training only: a server never imports it

    own = [u.text for intent in dataset.intents for u in intent.utterances]
    wanted = min(MAX_EXAMPLES, max(MIN_EXAMPLES, int(len(own) * per_example)))
    interjections, shuffled = corpus(INTERJECTIONS_FILE), corpus()
    random.Random(seed).shuffle(shuffled)
    vectorizer = TfidfVectorizer(strip_accents="unicode", sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    vectorizer.fit(own + interjections + shuffled)
    examples = vectorizer.transform(own).T.tocsr()
    far_corpus = _far(vectorizer, examples, shuffled, wanted)
    if not far_corpus:
        return []
    return sorted((_far(vectorizer, examples, interjections, wanted) + far_corpus)[:wanted])


def _far(vectorizer: TfidfVectorizer, examples: Any, texts: list[str], limit: int) -> list[str]:
    """The first ``limit`` of ``texts`` whose tf-idf cosine with every bot example (the columns of
    ``examples``) stays below MAX_SIMILARITY."""
    kept: list[str] = []
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start : start + _CHUNK]
        closest = np.asarray((vectorizer.transform(chunk) @ examples).max(axis=1).todense()).ravel()
        kept += [text for text, similarity in zip(chunk, closest, strict=True) if similarity < MAX_SIMILARITY]
        if len(kept) >= limit:
            break
    return kept[:limit]


def with_out_of_scope_intent(dataset: Dataset, examples: list[str]) -> Dataset:
    """``dataset`` plus the reserved out-of-scope intent made of ``examples`` (unchanged without any)."""
    if not examples:
        return dataset
    reserved = Intent(name=OUT_OF_SCOPE_INTENT, utterances=[Utterance.plain(text) for text in examples])
    return dataset.model_copy(update={"intents": [*dataset.intents, reserved]})


def decide(result: ParseResult, threshold: float) -> ParseResult:
    """The parse as the bot acts on it: a best intent below ``threshold`` becomes an alternative of
    ``intentName: null`` with probability 0 (the model did not find the text out of scope: no intent
    was sure enough), so what parse reports as no intent, the bot does not answer."""
    best = result.intent
    if best.intent_name is None or best.probability >= threshold:
        return result
    unsure = IntentGuess(intentName=None, probability=0.0)
    return ParseResult(input=result.input, intent=unsure, alternatives=[best, *result.alternatives])
