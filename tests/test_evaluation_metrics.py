"""Evaluation scores, folds and report on fixed predictions.

The expected figures were computed with the hand-written scorer and fold splitter that
scikit-learn and seqeval replaced, on these same inputs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.evaluation.labelled import LabelledExample, LabelledSlot
from nlu.evaluation.metrics import NO_INTENT, out_of_scope_scores, score, slot_scores
from nlu.evaluation.report import confusion_figure, summary, write_report
from nlu.evaluation.runner import Evaluation, stratified_folds
from nlu.parse_result import IntentGuess, ParseResult, Slot, SlotRange


def example(text: str, intent: str, *slots: tuple[str, str]) -> LabelledExample:
    spans = [
        LabelledSlot(slot=name, start=text.index(value), end=text.index(value) + len(value), value=value)
        for name, value in slots
    ]
    return LabelledExample(text=text, intent=intent, slots=spans)


def parse(text: str, intent: str | None, *slots: tuple[str, int, int]) -> ParseResult:
    found = [
        Slot(
            entity=name,
            range=SlotRange(start=start, end=end),
            rawValue=text[start:end],
            slotName=name,
            value={"kind": "Custom", "value": text[start:end]},
        )
        for name, start, end in slots
    ]
    return ParseResult(input=text, intent=IntentGuess(intentName=intent, probability=0.9), slots=found)


PAIRS = [
    (
        example("louer un scooter rouge demain", "reserver", ("couleur", "rouge"), ("date", "demain")),
        parse("louer un scooter rouge demain", "reserver", ("couleur", 17, 22), ("date", 23, 27)),  # span too short
    ),
    (example("quels sont vos horaires", "horaires"), parse("quels sont vos horaires", "horaires")),
    (example("combien ça coûte", "tarifs"), parse("combien ça coûte", "horaires")),
    (example("bonjour", "saluer"), parse("bonjour", None)),
    (
        example("un scooter bleu ce soir", "reserver", ("couleur", "bleu")),
        parse("un scooter bleu ce soir", "reserver", ("couleur", 11, 15), ("date", 16, 23)),  # one too many
    ),
    (example("vos tarifs svp", "tarifs"), parse("vos tarifs svp", "tarifs")),
    (example("au revoir", "quitter"), parse("au revoir", "saluer")),
    (example("c'est quoi vos heures", "horaires"), parse("c'est quoi vos heures", "tarifs")),
    (
        example("le scooter vert", "reserver", ("couleur", "vert")),
        parse("le scooter vert", "reserver", ("date", 11, 15)),  # right span, wrong name
    ),
    (example("salut", "saluer"), parse("salut", "saluer")),
    (example("une trottinette", "tarifs"), parse("une trottinette", "louer_velo")),
    (
        example("un rouge pour samedi", "reserver", ("couleur", "rouge"), ("date", "samedi")),
        parse("un rouge pour samedi", "reserver", ("couleur", 3, 8), ("date", 14, 20)),
    ),
]


def test_intent_scores_are_todays() -> None:
    scores = score(PAIRS)
    assert scores.examples == 12
    assert scores.intent_accuracy == pytest.approx(7 / 12)
    figures = {name: (prf.precision, prf.recall, round(prf.f1, 6), prf.support) for name, prf in scores.intents.items()}
    assert figures == (
        {
            "horaires": (0.5, 0.5, 0.5, 2),
            "louer_velo": (0.0, 0.0, 0.0, 0),  # predicted only: listed, with nothing right
            "quitter": (0.0, 0.0, 0.0, 1),  # never predicted: precision 0, not undefined
            "reserver": (1.0, 1.0, 1.0, 4),
            "saluer": (0.5, 0.5, 0.5, 2),
            "tarifs": (0.5, 1 / 3, 0.4, 3),  # 1 right of 2 predicted, of 3 expected
        }
    )


def test_a_slot_counts_only_with_its_exact_span_and_name() -> None:
    slots = score(PAIRS).slots
    # 4 of 7 predicted spans are right, 4 of 6 expected ones found.
    assert (slots.precision, slots.recall, slots.f1, slots.support) == pytest.approx((4 / 7, 4 / 6, 8 / 13, 6))


def test_slot_scores_on_spans_that_do_not_follow_words() -> None:
    expected = [{("date", 0, 6), ("heure", 6, 9)}, set(), {("couleur", 3, 8)}]
    predicted = [{("date", 0, 6), ("heure", 7, 9)}, {("couleur", 0, 2)}, {("couleur", 3, 8)}]
    scores = slot_scores(expected, predicted)
    assert (scores.precision, scores.recall, scores.support) == pytest.approx((2 / 4, 2 / 3, 3))


def test_nothing_expected_nor_found_scores_zero() -> None:
    scores = slot_scores([set(), set()], [set(), set()])
    assert (scores.precision, scores.recall, scores.f1, scores.support) == (0.0, 0.0, 0.0, 0)


def test_confusion_matrix_counts_every_pair_and_puts_no_intent_last() -> None:
    confusion = score(PAIRS).confusion
    assert confusion.labels == ["horaires", "louer_velo", "quitter", "reserver", "saluer", "tarifs", NO_INTENT]
    cells = {
        (expected, predicted): count
        for expected, row in zip(confusion.labels, confusion.counts, strict=True)
        for predicted, count in zip(confusion.labels, row, strict=True)
        if count
    }
    assert cells == {
        ("horaires", "horaires"): 1,
        ("horaires", "tarifs"): 1,
        ("quitter", "saluer"): 1,
        ("reserver", "reserver"): 4,
        ("saluer", NO_INTENT): 1,
        ("saluer", "saluer"): 1,
        ("tarifs", "horaires"): 1,
        ("tarifs", "louer_velo"): 1,
        ("tarifs", "tarifs"): 1,
    }


def test_most_confused_lists_mistakes_by_count_then_name() -> None:
    pairs = [*PAIRS, (example("ça coûte combien", "tarifs"), parse("ça coûte combien", "horaires"))]
    assert score(pairs).most_confused(3) == [
        ("tarifs", "horaires", 2),
        ("horaires", "tarifs", 1),
        ("quitter", "saluer", 1),
    ]


def examples_of(sizes: dict[str, int]) -> list[LabelledExample]:
    return [LabelledExample(text=f"{intent} {n}", intent=intent) for intent, size in sizes.items() for n in range(size)]


@pytest.mark.filterwarnings("ignore:The least populated class")
@pytest.mark.parametrize(
    ("folds", "per_fold"),
    [
        (
            2,
            {
                ("a", 0): 4, ("a", 1): 3, ("b", 0): 2, ("b", 1): 3, ("c", 0): 1, ("c", 1): 1,
                ("d", 0): 1, ("e", 0): 1, ("e", 1): 2,
            },
        ),
        (
            3,
            {
                ("a", 0): 3, ("a", 1): 2, ("a", 2): 2, ("b", 0): 1, ("b", 1): 2, ("b", 2): 2,
                ("c", 0): 1, ("c", 1): 1, ("d", 2): 1, ("e", 0): 1, ("e", 1): 1, ("e", 2): 1,
            },
        ),
    ],
)  # fmt: skip
def test_folds_spread_each_intent_as_today(folds: int, per_fold: dict[tuple[str, int], int]) -> None:
    examples = examples_of({"a": 7, "b": 5, "c": 2, "d": 1, "e": 3})
    assignment = stratified_folds(examples, folds, seed=0)
    assert Counter((e.intent, fold) for e, fold in zip(examples, assignment, strict=True)) == per_fold


def test_folds_depend_on_the_seed_only() -> None:
    examples = examples_of({"a": 20, "b": 20})
    assert stratified_folds(examples, 5, seed=1) == stratified_folds(examples, 5, seed=1)
    assert stratified_folds(examples, 5, seed=1) != stratified_folds(examples, 5, seed=2)


def evaluation() -> Evaluation:
    return Evaluation(
        backend="bow",
        options={"epochs": 3},
        protocol="train on a, test on b",
        scores=score(PAIRS),
        training_seconds=[1.5],
        parse_seconds=[0.001, 0.003, 0.002],
        training_examples=40,
    )


def test_summary_gives_the_headline_figures() -> None:
    figures = summary(evaluation())
    assert figures["examples"] == 12
    assert figures["intent_accuracy"] == 0.5833
    assert (figures["slot_precision"], figures["slot_recall"], figures["slot_f1"]) == (0.5714, 0.6667, 0.6154)
    assert figures["median_parse_ms"] == 2.0


def test_report_lists_scores_confusions_and_draws_the_matrix(tmp_path: Path) -> None:
    report = write_report(evaluation(), tmp_path / "reports" / "evaluation.md")
    text = report.read_text(encoding="utf-8")
    assert "| 58.3 % | 57.1 % | 66.7 % | 61.5 % | 1.5 s | 2.0 ms |" in text
    assert "| tarifs | 50.0 % | 33.3 % | 40.0 % | 3 |" in text
    assert "| saluer | (none) | 1 |" in text
    image = tmp_path / "reports" / "evaluation.png"
    assert f"]({image.name})" in text
    assert image.read_bytes().startswith(b"\x89PNG")


def test_confusion_figure_writes_each_cells_count() -> None:
    axes = confusion_figure(score(PAIRS), "bow").axes[0]
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == ["horaires", "louer_velo", "quitter", "reserver", "saluer", "tarifs", NO_INTENT]
    cells = sorted(
        (labels[round(t.get_position()[1])], labels[round(t.get_position()[0])], t.get_text()) for t in axes.texts
    )
    assert cells == [
        ("horaires", "horaires", "1"),
        ("horaires", "tarifs", "1"),
        ("quitter", "saluer", "1"),
        ("reserver", "reserver", "4"),
        ("saluer", NO_INTENT, "1"),
        ("saluer", "saluer", "1"),
        ("tarifs", "horaires", "1"),
        ("tarifs", "louer_velo", "1"),
        ("tarifs", "tarifs", "1"),
    ]


def test_out_of_scope_recall_is_the_share_given_no_intent_and_names_who_answered() -> None:
    results = [parse(text, intent) for text, intent in [("lol", None), ("météo", "horaires"), ("bof", None)]]
    results += [parse("quelle heure est-il", "horaires"), parse("mets du jazz", "tarifs")]
    scores = out_of_scope_scores(results)
    assert (scores.examples, scores.recall) == (5, 0.4)
    assert scores.answered_by == [("horaires", 2), ("tarifs", 1)]


def test_the_report_puts_out_of_scope_recall_beside_in_scope_accuracy(tmp_path: Path) -> None:
    results = [parse("lol", None), parse("météo", "horaires"), parse("bof", None), parse("jazz", None)]
    checked = evaluation()
    checked.out_of_scope = out_of_scope_scores(results)
    figures = summary(checked)
    assert (figures["intent_accuracy"], figures["out_of_scope_recall"], figures["out_of_scope_examples"]) == (
        0.5833,
        0.75,
        4,
    )
    text = write_report(checked, tmp_path / "evaluation.md").read_text(encoding="utf-8")
    assert "| in-scope accuracy | out-of-scope recall | in-scope examples | out-of-scope examples |" in text
    assert "| 58.3 % | 75.0 % | 12 | 4 |" in text
    assert "| horaires | 1 |" in text
    assert "out_of_scope_recall" not in summary(evaluation())
    assert "out-of-scope recall" not in write_report(evaluation(), tmp_path / "plain.md").read_text(encoding="utf-8")
