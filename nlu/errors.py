"""Errors raised for broken content, each pointing at a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a content file, printed as ``file:line: message``.

    ``rule`` names the check that found it (e.g. ``unreachable-intent``), so that an author can
    look it up in the documentation; problems found while reading a file have none.
    """

    file: str
    line: int
    message: str
    rule: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """A bot folder that cannot be trained: carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class ModelError(Exception):
    """A saved model that cannot be loaded: missing, tampered with, or from an unknown backend."""
