"""Terminal output for content authors: colours when a person is watching, plain text otherwise."""

from __future__ import annotations

import os
from typing import TextIO

from dialogue import Turn
from dialogue.conversation_tests import Paint
from dialogue.explain import Explanation
from nlu import Problem
from nlu.explain import WordPush
from nlu.messages import Language, render

# Words whose push is below both bounds are shown plain: they do not matter to the decision.
NOTABLE_LOG_ODDS = 0.5
NOTABLE_PUSH = 0.01
STRONG_LOG_ODDS = 1.5

BOT_PROMPT = "bot > "
QUICK_REPLIES_LABEL = "choix\u00a0: "  # for the person chatting, hence French (non-breaking space before ":")

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


def problem_line(problem: Problem, severity: str, palette: Palette, lang: Language) -> str:
    """``file:line: message [rule]`` in ``lang``; warnings say so, so that they read apart from errors."""
    label = palette.paint(render("warning-label", {}, lang), "yellow", "bold") if severity == "warning" else ""
    rule = palette.paint(f" [{problem.rule}]", "dim") if problem.rule else ""
    return f"{problem.file}:{problem.line}: {label}{problem.text(lang)}{rule}"


def turn_lines(turn: Turn, interactive: bool) -> list[str]:
    """The bot's answer as a person reads it: each message in its text form, then the quick
    replies on one line.

    A message in text form reads buttons as ``[label]`` (a link shows its address), an image as its
    alt text and a carousel's cards numbered (:func:`causette_sdk.messages.text_form`). A person at
    a terminal sees ``bot > `` before each message, its further lines and the quick replies aligned
    under it; piped output stays bare, for scripts.
    """
    prompt, indent = (BOT_PROMPT, " " * len(BOT_PROMPT)) if interactive else ("", "")
    lines = [
        f"{prompt if number == 0 else indent}{line}"
        for response in turn.responses
        for number, line in enumerate(response.split("\n"))
    ]
    if turn.quick_replies:
        lines.append(f"{indent}{QUICK_REPLIES_LABEL}" + " ".join(f"[{reply}]" for reply in turn.quick_replies))
    return lines


def explanation_lines(explanation: Explanation, palette: Palette) -> list[str]:
    """The answer, one line per explained intent with its words coloured by their push, contexts."""
    answer = "clarify" if explanation.understood_as == "clarify" else explanation.intent or "fallback"
    lines = [f"{palette.paint(answer, 'bold')}  <- {explanation.input!r}"]
    if explanation.understood_as == "clarify":
        lines += _clarify_lines(explanation)
    for intent in explanation.words:
        words = " ".join(_pushed_word(word, palette) for word in intent.words)
        lines.append(f"  {intent.intent} {intent.probability:.1%}: {words}")
    lines.append(f"  active contexts: {', '.join(explanation.active_contexts) or 'none'}")
    if explanation.action is not None:
        lines.append(f"  action: {explanation.action} answers (called when the turn is taken)")
    for candidate in explanation.candidates:
        verdict = palette.paint("eligible", "green") if candidate.eligible else palette.paint("not eligible", "red")
        lines.append(f"    {candidate.intent} {candidate.probability:.1%} {verdict}: {candidate.reason}")
    return lines


def _clarify_lines(explanation: Explanation) -> list[str]:
    """The clarifying question the bot would ask, and the intent behind each of its buttons."""
    options = ", ".join(
        f"[{label}] -> {intent}" for label, intent in zip(explanation.quick_replies, explanation.clarify, strict=True)
    )
    return [f"  asks: {' '.join(explanation.responses)}", f"  options: {options}"]


def _pushed_word(word: WordPush, palette: Palette) -> str:
    """A word with its push in probability points; green pushes towards, red away."""
    strength = abs(word.log_odds)
    if strength < NOTABLE_LOG_ODDS and abs(word.push) < NOTABLE_PUSH:
        return word.word
    styles: tuple[str, ...] = ("green" if word.log_odds >= 0 else "red",)
    if strength >= STRONG_LOG_ODDS:
        styles += ("bold",)
    return palette.paint(f"{word.word}({word.push * 100:+.1f}%)", *styles)


_TEST_STYLES = {
    "pass": ("green", "bold"),
    "fail": ("red", "bold"),
    "expected": ("green",),
    "got": ("red",),
    "hint": ("yellow",),
}


def result_painter(palette: Palette) -> Paint:
    """Colours for conversation test results: what was expected in green, what came in red."""
    return lambda text, role: palette.paint(text, *_TEST_STYLES.get(role, ()))
