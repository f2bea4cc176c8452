"""Lint: content that loads and trains, but that a content author most likely did not mean.

The checks in :mod:`nlu.checks.assembly` and :mod:`nlu.checks.intents` are errors: nothing is
trained from such a folder (a ``{slot}`` placeholder the intent lacks is one of them,
``unknown-slot``). The rules here are warnings, each
with a name an author can look up in the README (section "Lint"):

- ``near-duplicate``: two patterns under different intents with the same content words;
- ``few-examples``: an intent with fewer examples than the seed's advice for minimal quality;
- ``unused-context``: a ``context_set`` that no intent's ``context_filter`` waits for;
- ``unused-entity``: an entity that no pattern annotates;
- ``generic-pattern``: a pattern of an intent that answers without a context, so generic that it
  captures messages about something else: it has no meaningful word at all, or its meaningful words
  are together in at least one in twenty of the generic French requests Causette ships as its
  out-of-scope corpus (``nlu/data``): "vous avez un mail ?" teaches the intent that "mail" is its
  business, and "lis mes mails" is then answered with it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from nlu.dataset import Dataset, Intent, SourceRef, Utterance
from nlu.errors import Problem, sort_problems
from nlu.out_of_scope import corpus
from nlu.text import ARTICLES, POSSESSIVES, SUBJECT_PRONOUNS, fold, tokenize

# "On constate une qualité de prédiction minimale à partir d'une trentaine d'exemples" (the seed).
MIN_EXAMPLES = 30
# A pattern whose meaningful words are together in this share of the out-of-scope corpus (one
# off-topic request in twenty) is about nothing in particular.
GENERIC_SHARE = 0.05

# Words that do not tell one intent from another: articles, pronouns, a few prepositions and the
# forms of être and avoir. Question words (qui, où, quand...) and negations (ne, pas) are not here:
# "c'est où ?" and "c'est qui ?", "tout de suite" and "pas tout de suite" mean different things.
# "ou" is absent on purpose: folded, the conjunction and "où" are the same word.
STOP_WORDS = frozenset(
    fold(word)
    for word in (
        *ARTICLES,
        *SUBJECT_PRONOUNS,
        *POSSESSIVES,
        "au",
        "aux",
        "a",
        "à",
        "et",
        "mais",
        "donc",
        "car",
        "me",
        "te",
        "se",
        "ce",
        "cet",
        "cette",
        "ces",
        "mes",
        "tes",
        "ses",
        "notre",
        "votre",
        "nos",
        "vos",
        "leur",
        "leurs",
        "que",
        "est",
        "es",
        "suis",
        "sont",
        "sommes",
        "êtes",
        "été",
        "être",
        "ai",
        "as",
        "avez",
        "avons",
        "ont",
        "avoir",
    )
)


def lint(dataset: Dataset) -> list[Problem]:
    """Every warning for a dataset that has passed the error checks, sorted by file and line."""
    return sort_problems([problem for rule in RULES for problem in rule(dataset)])


def content_words(text: str) -> frozenset[str]:
    """The stems of a text's words that carry meaning: what is left to tell intents apart."""
    return frozenset(token.stem for token in tokenize(text) if token.norm not in STOP_WORDS)


def near_duplicates(dataset: Dataset) -> list[Problem]:
    """Patterns under different intents with the same content words, in any order or inflection.

    Identical patterns are already an error; these differ only by words the model learns little
    from, so the two intents compete for the same sentences.
    """
    first_seen: dict[frozenset[str], tuple[Intent, Utterance]] = {}
    problems = []
    for intent in dataset.intents:
        for utterance in intent.utterances:
            words = content_words(utterance.text)
            if not words:
                continue
            other_intent, other = first_seen.setdefault(words, (intent, utterance))
            if other_intent.name != intent.name:
                problems.append(
                    Problem.at(
                        utterance.source or intent.source,
                        "near-duplicate",
                        "near-duplicate",
                        text=utterance.text,
                        intent=intent.name,
                        other=other.text,
                        other_intent=other_intent.name,
                        place=_place(other.source),
                    )
                )
    return problems


def few_examples(dataset: Dataset) -> list[Problem]:
    """Intents with fewer examples than the seed's minimum for a usable prediction quality."""
    return [
        Problem.at(
            intent.source,
            "few-examples",
            "few-examples",
            intent=intent.name,
            count=len(intent.utterances),
            minimum=MIN_EXAMPLES,
        )
        for intent in dataset.intents
        if len(intent.utterances) < MIN_EXAMPLES
    ]


def unused_contexts(dataset: Dataset) -> list[Problem]:
    """Contexts an intent sets that no intent filters on: setting them changes nothing."""
    filtered = {intent.context_filter for intent in dataset.intents if intent.context_filter}
    return [
        Problem.at(intent.source, "unused-context", "unused-context", intent=intent.name, context=intent.context_set)
        for intent in dataset.intents
        if intent.context_set and intent.context_set not in filtered
    ]


def unused_entities(dataset: Dataset) -> list[Problem]:
    """Entities defined in the bot folder that no pattern annotates."""
    used = {chunk.entity for i in dataset.intents for u in i.utterances for chunk in u.chunks}
    return [
        Problem.at(entity.source, "unused-entity", "unused-entity", entity=name)
        for name, entity in sorted(dataset.entities.items())
        if name not in used
    ]


def generic_patterns(dataset: Dataset) -> list[Problem]:
    """Patterns that would capture off-topic messages: of an intent that needs no context, with no
    meaningful word, or with meaningful words common in generic requests (see GENERIC_SHARE)."""
    problems = []
    for intent in dataset.intents:
        if intent.context_filter:  # answers only in its context, where short answers are expected
            continue
        for utterance in intent.utterances:
            words = content_words(utterance.text)
            place = utterance.source or intent.source
            if not words:
                problems.append(
                    Problem.at(
                        place, "generic-pattern-empty", "generic-pattern", text=utterance.text, intent=intent.name
                    )
                )
            elif (share := corpus_share(words)) >= GENERIC_SHARE:
                problems.append(
                    Problem.at(
                        place,
                        "generic-pattern",
                        "generic-pattern",
                        text=utterance.text,
                        intent=intent.name,
                        words=", ".join(sorted(words)),
                        share=f"{round(share * 100)} %",
                    )
                )
    return problems


def corpus_share(words: frozenset[str]) -> float:
    """The share of the out-of-scope corpus's sentences that hold all of ``words`` (stems)."""
    index, size = _corpus_index()
    holding = set.intersection(*(index.get(word, set()) for word in words)) if words else set()
    return len(holding) / size


@cache
def _corpus_index() -> tuple[dict[str, set[int]], int]:
    """Which corpus sentences hold each meaningful stem, and how many sentences there are: built
    once per process (two seconds), read-only afterwards."""
    sentences = corpus()
    index: dict[str, set[int]] = {}
    for number, sentence in enumerate(sentences):
        for word in content_words(sentence):
            index.setdefault(word, set()).add(number)
    return index, len(sentences)


RULES: tuple[Callable[[Dataset], list[Problem]], ...] = (
    near_duplicates,
    few_examples,
    unused_contexts,
    unused_entities,
    generic_patterns,
)


def _place(source: SourceRef | None) -> str:
    return str(source) if source else "?"
