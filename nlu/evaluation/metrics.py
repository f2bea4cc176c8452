"""Scores of a backend's predictions against labelled examples.

Intent accuracy; precision, recall and F1 per intent; slot precision, recall and F1 where a
predicted slot counts only with the exact span and slot name (micro-averaged over all slots);
the most frequent confusions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nlu.evaluation.labelled import LabelledExample
from nlu.parse_result import ParseResult

NO_INTENT = "(none)"  # how a prediction without intent shows in tables


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 from counts (0 when undefined)."""

    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        total = self.predicted + self.expected
        return 2 * self.true_positives / total if total else 0.0


@dataclass
class Scores:
    """Everything a report shows, computed from (expected, predicted) pairs."""

    examples: int = 0
    correct_intents: int = 0
    intents: dict[str, PRF] = field(default_factory=dict)
    slots: PRF = field(default_factory=lambda: PRF(0, 0, 0))
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, predicted)

    @property
    def intent_accuracy(self) -> float:
        return self.correct_intents / self.examples if self.examples else 0.0

    def most_confused(self, count: int = 10) -> list[tuple[str, str, int]]:
        """The ``count`` most frequent (expected, predicted) mistakes."""
        return [(e, p, n) for (e, p), n in self.confusions.most_common() if e != p][:count]


def score(pairs: list[tuple[LabelledExample, ParseResult]]) -> Scores:
    """Score predictions; each pair is an example and the backend's parse of its text."""
    scores = Scores(examples=len(pairs))
    true_pos: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    slot_counts = [0, 0, 0]
    for example, result in pairs:
        guess = result.intent.intent_name or NO_INTENT
        scores.confusions[(example.intent, guess)] += 1
        expected[example.intent] += 1
        predicted[guess] += 1
        if guess == example.intent:
            scores.correct_intents += 1
            true_pos[guess] += 1
        gold = {(s.slot, s.start, s.end) for s in example.slots}
        found = {(s.slot_name, s.range.start, s.range.end) for s in result.slots}
        slot_counts[0] += len(gold & found)
        slot_counts[1] += len(found)
        slot_counts[2] += len(gold)
    names = sorted(set(expected) | (set(predicted) - {NO_INTENT}))
    scores.intents = {n: PRF(true_pos[n], predicted[n], expected[n]) for n in names}
    scores.slots = PRF(*slot_counts)
    return scores
