"""An evaluation written as a Markdown report with a confusion-matrix image beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.evaluation.metrics import Scores
from nlu.evaluation.runner import Evaluation

if TYPE_CHECKING:  # matplotlib is imported only when a report is drawn
    from matplotlib.figure import Figure


def summary(evaluation: Evaluation) -> dict[str, float | int | str]:
    """The headline figures, as plain values (printed by the CLI, read by benchmarks)."""
    scores, out_of_scope = evaluation.scores, evaluation.out_of_scope
    figures: dict[str, float | int | str] = {
        "backend": evaluation.backend,
        "protocol": evaluation.protocol,
        "examples": scores.examples,
        "intent_accuracy": round(scores.intent_accuracy, 4),
    }
    if out_of_scope is not None:
        figures |= {
            "out_of_scope_examples": out_of_scope.examples,
            "out_of_scope_recall": round(out_of_scope.recall, 4),
        }
    return figures | {
        "slot_precision": round(scores.slots.precision, 4),
        "slot_recall": round(scores.slots.recall, 4),
        "slot_f1": round(scores.slots.f1, 4),
        "training_seconds": round(sum(evaluation.training_seconds), 2),
        "median_parse_ms": round(evaluation.median_parse_ms, 3),
    }


def write_report(evaluation: Evaluation, path: Path) -> Path:
    """Write ``path`` (Markdown) and ``path`` with ``.png`` (the confusion matrix); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = path.with_suffix(".png")
    figure = confusion_figure(evaluation.scores, f"{evaluation.backend}: {evaluation.protocol}")
    figure.savefig(image, dpi=130)
    path.write_text(_markdown(evaluation, image.name), encoding="utf-8")
    return path


def _markdown(evaluation: Evaluation, image: str) -> str:
    figures, scores = summary(evaluation), evaluation.scores
    lines = [
        f"# Evaluation of the `{evaluation.backend}` backend",
        "",
        f"- Protocol: {evaluation.protocol} ({scores.examples} scored examples, "
        f"{evaluation.training_examples} training examples per model)",
        f"- Backend options: `{json.dumps(evaluation.options, ensure_ascii=False, sort_keys=True)}`",
        *[f"- Data: {notice}" for notice in evaluation.notices],
        "",
        "| intent accuracy | slot precision | slot recall | slot F1 | training time | median parse time |",
        "|---|---|---|---|---|---|",
        f"| {_pct(scores.intent_accuracy)} | {_pct(scores.slots.precision)} | {_pct(scores.slots.recall)} "
        f"| {_pct(scores.slots.f1)} | {figures['training_seconds']} s | {figures['median_parse_ms']} ms |",
        "",
        "Slots count as found only with the exact span and slot name.",
        "",
        *_out_of_scope_section(evaluation),
        "## Most confused intents",
        "",
        "| expected | predicted | count |",
        "|---|---|---|",
        *[f"| {e} | {p} | {n} |" for e, p, n in scores.most_confused(15)],
        "",
        "## Per intent",
        "",
        "| intent | precision | recall | F1 | examples |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {_pct(prf.precision)} | {_pct(prf.recall)} | {_pct(prf.f1)} | {prf.support} |"
            for name, prf in sorted(scores.intents.items())
        ],
        "",
        "## Confusion matrix",
        "",
        f"![Confusion matrix (rows: expected intent, columns: predicted; colour: share of the row, "
        f"figures: examples)]({image})",
        "",
    ]
    return "\n".join(lines)


def _out_of_scope_section(evaluation: Evaluation) -> list[str]:
    """In-scope accuracy beside out-of-scope recall, and which intents answered off-topic messages."""
    out_of_scope = evaluation.out_of_scope
    if out_of_scope is None:
        return []
    return [
        "## In scope and out of scope",
        "",
        "Predictions are the bot's decisions: out of scope or below the threshold, no intent.",
        "",
        "| in-scope accuracy | out-of-scope recall | in-scope examples | out-of-scope examples |",
        "|---|---|---|---|",
        f"| {_pct(evaluation.scores.intent_accuracy)} | {_pct(out_of_scope.recall)} "
        f"| {evaluation.scores.examples} | {out_of_scope.examples} |",
        "",
        "Out-of-scope messages an intent answered:",
        "",
        "| intent | out-of-scope messages answered |",
        "|---|---|",
        *[f"| {intent} | {count} |" for intent, count in out_of_scope.answered_by[:15]],
        "",
    ]


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def confusion_figure(scores: Scores, title: str) -> Figure:
    """The confusion matrix drawn: each cell shows its count, coloured by its share of the row (so
    that a small intent's mistakes show as well as a large one's). matplotlib's object API: no
    global state, which is why scikit-learn's ``ConfusionMatrixDisplay`` (pyplot) is not used."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels, counts = scores.confusion.labels, scores.confusion.counts
    shares = [[count / (sum(row) or 1) for count in row] for row in counts]
    size = max(5.0, 0.22 * len(labels) + 2)
    figure = Figure(figsize=(size + 1, size))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    font = max(4, min(9, int(200 / max(len(labels), 1))))
    for row, line in enumerate(counts):
        for column, count in enumerate(line):
            if count:  # empty cells stay blank: a 60-intent matrix of zeros would be unreadable
                colour = "white" if shares[row][column] > 0.5 else "black"
                axes.text(column, row, str(count), ha="center", va="center", fontsize=font, color=colour)
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=font)
    axes.set_yticks(range(len(labels)), labels, fontsize=font)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("expected intent")
    axes.set_title(title, fontsize=9)
    figure.colorbar(shown, ax=axes, fraction=0.04, label="share of the expected intent's examples")
    figure.tight_layout()
    return figure
