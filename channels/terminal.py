"""Terminal output for content authors: colours when a person is watching, plain text otherwise."""

from __future__ import annotations

import os
from typing import TextIO

from nlu import Problem

_CODES = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


def wants_colour(stream: TextIO) -> bool:
    """Colour for a terminal, never for a pipe or a file, nor when ``NO_COLOR`` is set."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


class Palette:
    """ANSI styling that turns into plain text when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def paint(self, text: str, *styles: str) -> str:
        """``text`` in the given styles (``red``, ``green``, ``yellow``, ``bold``, ``dim``)."""
        if not self.enabled or not styles:
            return text
        codes = ";".join(_CODES[style] for style in styles)
        return f"\033[{codes}m{text}\033[0m"


def problem_line(problem: Problem, severity: str, palette: Palette) -> str:
    """``file:line: message [rule]``; warnings say so, so that they read apart from errors."""
    label = palette.paint("warning: ", "yellow", "bold") if severity == "warning" else ""
    rule = palette.paint(f" [{problem.rule}]", "dim") if problem.rule else ""
    return f"{problem.file}:{problem.line}: {label}{problem.message}{rule}"
