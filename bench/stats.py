"""Small helpers the benchmarks share: percentiles and a printed table."""

from __future__ import annotations

import statistics


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary_ms(seconds: list[float]) -> str:
    """Median and p95 of durations given in seconds, printed in milliseconds."""
    return f"median {statistics.median(seconds) * 1e3:.3f} ms, p95 {percentile(seconds, 0.95) * 1e3:.3f} ms"


def table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
