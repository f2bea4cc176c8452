"""Progress bars on stderr, fed by a backend's (or an evaluation's) progress callback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from nlu.backends import Progress


@contextmanager
def progress_bars(unit: str = "it") -> Iterator[Progress]:
    """One tqdm bar per phase (a new one whenever the description changes), shown only once work starts."""
    bars: list[tqdm] = []

    def update(done: int, total: int, description: str) -> None:
        if not bars or bars[-1].desc != description or bars[-1].total != total:
            if bars:
                bars[-1].close()
            bars.append(tqdm(total=total, desc=description, unit=unit, file=sys.stderr, dynamic_ncols=True))
        bars[-1].n = done
        bars[-1].refresh()

    try:
        yield update
    finally:
        if bars:
            bars[-1].close()
