"""Scores of a backend's predictions against labelled examples, computed by scikit-learn and seqeval.

Intent accuracy; precision, recall and F1 per intent; the confusion matrix and its most frequent
mistakes; slot precision, recall and F1 where a predicted slot counts only with the exact span and
slot name (seqeval's strict IOB2 mode, micro-averaged over all slots); for messages the bot should
not answer, the share it gives no intent (out-of-scope recall).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.scheme import IOB2
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from nlu.evaluation.labelled import LabelledExample
from nlu.parse_result import ParseResult

NO_INTENT = "(none)"  # how a prediction without intent shows in tables

Span = tuple[str, int, int]  # slot name, start, end (exclusive), in characters


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 (0 when undefined), and how many items were expected."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of (expected, predicted) intents; ``NO_INTENT`` is the last label when it occurs."""

    labels: list[str]
    counts: list[list[int]]  # counts[expected][predicted], in the order of ``labels``

    def most_confused(self, count: int = 10) -> list[tuple[str, str, int]]:
        """The ``count`` most frequent (expected, predicted, times) mistakes; ties by name."""
        mistakes = [
            (expected, predicted, times)
            for expected, row in zip(self.labels, self.counts, strict=True)
            for predicted, times in zip(self.labels, row, strict=True)
            if times and expected != predicted
        ]
        return sorted(mistakes, key=lambda m: (-m[2], m[0], m[1]))[:count]


@dataclass(frozen=True)
class Scores:
    """Everything a report shows, computed from (expected, predicted) pairs."""

    examples: int
    intent_accuracy: float
    intents: dict[str, PRF]  # every intent expected or predicted
    slots: PRF
    confusion: ConfusionMatrix

    def most_confused(self, count: int = 10) -> list[tuple[str, str, int]]:
        """The ``count`` most frequent (expected, predicted, times) mistakes."""
        return self.confusion.most_confused(count)


@dataclass(frozen=True)
class OutOfScopeScores:
    """How a bot treats messages it should not answer: the share it gives no intent (recall of
    "out of scope"), and the intents that answered the others, most frequent first."""

    examples: int
    recall: float
    answered_by: list[tuple[str, int]]  # intent, how many out-of-scope messages it answered


def out_of_scope_scores(results: list[ParseResult]) -> OutOfScopeScores:
    """Score the parses of out-of-scope messages: each should name no intent."""
    if not results:
        raise ValueError("no out-of-scope prediction to score")
    answered = Counter(name for result in results if (name := result.intent.intent_name) is not None)
    return OutOfScopeScores(
        examples=len(results),
        recall=1 - sum(answered.values()) / len(results),
        answered_by=sorted(answered.items(), key=lambda item: (-item[1], item[0])),
    )


def score(pairs: list[tuple[LabelledExample, ParseResult]]) -> Scores:
    """Score predictions; each pair is an example and the backend's parse of its text."""
    if not pairs:
        raise ValueError("no prediction to score")
    expected = [example.intent for example, _ in pairs]
    predicted = [result.intent.intent_name or NO_INTENT for _, result in pairs]
    names = sorted(set(expected) | (set(predicted) - {NO_INTENT}))
    precision, recall, f1, support = precision_recall_fscore_support(expected, predicted, labels=names, zero_division=0)
    labels = names + ([NO_INTENT] if NO_INTENT in predicted else [])
    return Scores(
        examples=len(pairs),
        intent_accuracy=float(accuracy_score(expected, predicted)),
        intents={
            name: PRF(float(p), float(r), float(f), int(s))
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
        slots=slot_scores(
            [{(s.slot, s.start, s.end) for s in example.slots} for example, _ in pairs],
            [{(s.slot_name, s.range.start, s.range.end) for s in result.slots} for _, result in pairs],
        ),
        confusion=ConfusionMatrix(labels, confusion_matrix(expected, predicted, labels=labels).tolist()),
    )


def slot_scores(expected: list[set[Span]], predicted: list[set[Span]]) -> PRF:
    """Exact-span slot scores over texts, given each text's expected and predicted slot spans.

    Each text is cut at every span's start and end, so that a span is a run of whole pieces: BIO
    tags over those pieces keep the character spans exact for seqeval. A piece holds one tag, so
    of predicted slots that overlap only the first is scored (no backend predicts overlaps).
    """
    gold_tags, found_tags = [], []
    for gold, found in zip(expected, predicted, strict=True):
        cuts = sorted({0} | {edge for _, start, end in gold | found for edge in (start, end)})
        gold_tags.append(_bio(gold, cuts))
        found_tags.append(_bio(found, cuts))
    options = {"mode": "strict", "scheme": IOB2, "average": "micro", "zero_division": 0}
    return PRF(
        precision=float(precision_score(gold_tags, found_tags, **options)),
        recall=float(recall_score(gold_tags, found_tags, **options)),
        f1=float(f1_score(gold_tags, found_tags, **options)),
        support=sum(len(spans) for spans in expected),
    )


def _bio(spans: set[Span], cuts: list[int]) -> list[str]:
    """IOB2 tags of the pieces between consecutive ``cuts`` (the last cut ends the text)."""
    piece = {edge: index for index, edge in enumerate(cuts)}
    tags = ["O"] * (len(cuts) - 1)
    for name, start, end in sorted(spans, key=lambda s: (s[1], s[2], s[0])):
        first, last = piece[start], piece[end]
        if first < last and all(tag == "O" for tag in tags[first:last]):
            tags[first:last] = [f"B-{name}"] + [f"I-{name}"] * (last - first - 1)
    return tags
