"""An evaluation written as a Markdown report with a confusion-matrix image beside it."""

from __future__ import annotations

import json
from pathlib import Path

from nlu.evaluation.metrics import NO_INTENT, Scores
from nlu.evaluation.runner import Evaluation


def summary(evaluation: Evaluation) -> dict[str, float | int | str]:
    """The headline figures, as plain values (printed by the CLI, read by benchmarks)."""
    scores = evaluation.scores
    return {
        "backend": evaluation.backend,
        "protocol": evaluation.protocol,
        "examples": scores.examples,
        "intent_accuracy": round(scores.intent_accuracy, 4),
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
    draw_confusion_matrix(evaluation.scores, image, f"{evaluation.backend}: {evaluation.protocol}")
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
            f"| {name} | {_pct(prf.precision)} | {_pct(prf.recall)} | {_pct(prf.f1)} | {prf.expected} |"
            for name, prf in sorted(scores.intents.items())
        ],
        "",
        "## Confusion matrix",
        "",
        f"![Confusion matrix (rows: expected intent, columns: predicted; share of each row)]({image})",
        "",
    ]
    return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def draw_confusion_matrix(scores: Scores, path: Path, title: str) -> None:
    """A row-normalised confusion matrix as a PNG (matplotlib's object API: no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = sorted({e for e, _ in scores.confusions} | ({p for _, p in scores.confusions} - {NO_INTENT}))
    if any(p == NO_INTENT for _, p in scores.confusions):
        labels.append(NO_INTENT)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0.0] * len(labels) for _ in labels]
    for (expected, predicted), count in scores.confusions.items():
        matrix[index[expected]][index[predicted]] += count
    for row in matrix:
        total = sum(row) or 1.0
        row[:] = [value / total for value in row]
    size = max(5.0, 0.22 * len(labels) + 2)
    figure = Figure(figsize=(size + 1, size))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = axes.imshow(matrix, cmap="Blues", vmin=0.0, vmax=1.0)
    font = max(4, min(9, int(200 / max(len(labels), 1))))
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=font)
    axes.set_yticks(range(len(labels)), labels, fontsize=font)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("expected intent")
    axes.set_title(title, fontsize=9)
    figure.colorbar(shown, ax=axes, fraction=0.04)
    figure.tight_layout()
    figure.savefig(path, dpi=130)
