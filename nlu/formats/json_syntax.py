"""A JSON syntax error as an author can fix it: the line with a caret under the spot, and a hint.

The standard library says what it expected ("Expecting ',' delimiter") at the place where it
noticed; the usual causes are elsewhere: a comma missing at the end of the previous line, a comma
too many before ``]`` or ``}``, curly quotes put in by a word processor, a bracket never closed.
"""

from __future__ import annotations

import json

from nlu.errors import Problem
from nlu.messages import ParamValue

_REASONS = {
    "Expecting value": "json-expecting-value",
    "Expecting ',' delimiter": "json-expecting-comma",
    "Expecting ':' delimiter": "json-expecting-colon",
    "Expecting property name enclosed in double quotes": "json-expecting-key",
    "Extra data": "json-extra-data",
    "Unterminated string starting at": "json-unterminated-string",
    "Invalid control character at": "json-control-character",
}
# Double ones only on the line: ’ and « » are ordinary French inside a string.
CURLY_QUOTES = "“”„"
_CLOSING = {"[": "]", "{": "}"}


def json_syntax_problem(text: str, error: json.JSONDecodeError, file: str) -> Problem:
    """The problem for invalid JSON ``text``: where, what was expected, and the likely cause."""
    line, column = error.lineno, error.colno
    if not text[error.pos :].strip():
        # The end of the file: show where the content ends, not an empty last line.
        end = len(text.rstrip())
        line, column = text.count("\n", 0, end) + 1, end - text.rfind("\n", 0, end)
    params: dict[str, ParamValue] = {
        "reason_code": _REASONS.get(error.msg, "json-other"),
        "json_error": error.msg,
        "excerpt": excerpt(text, line, column),
        "hint_code": "no-hint",
    }
    params |= _hint(text, error.pos)
    return Problem(file=file, line=line, code="invalid-json", params=params)


def excerpt(text: str, line: int, column: int) -> str:
    """Line ``line`` of ``text`` (1-based) with a caret under ``column``, indented."""
    lines = text.splitlines() or [""]
    shown = lines[min(line, len(lines)) - 1].expandtabs(1)
    return f"    {shown}\n    {' ' * (column - 1)}^"


def _hint(text: str, position: int) -> dict[str, ParamValue]:
    """The likely cause of a syntax error noticed at ``position``, as message parameters."""
    if _curly_quotes_near(text, position):
        return {"hint_code": "hint-curly-quotes"}
    before = text[:position].rstrip()
    at = text[position:].lstrip()[:1]
    if before.endswith(",") and at in ("]", "}"):
        return {"hint_code": "hint-trailing-comma", "hint_line": _line_of(text, len(before))}
    unclosed = _unclosed_bracket(text[:position])
    if unclosed is not None and (not at or (at in "]}" and at != _CLOSING[unclosed[0]])):
        # The file ends, or a bracket closes, while another one is still open.
        opening, index = unclosed
        return {
            "hint_code": "hint-missing-bracket",
            "bracket": _CLOSING[opening],
            "opening": opening,
            "hint_line": _line_of(text, index + 1),
        }
    if before and before[-1] in '"]}0123456789el' and "\n" in text[len(before) : position + 1]:
        # A value ends one line and the next starts without a comma between them.
        return {"hint_code": "hint-missing-comma", "hint_line": _line_of(text, len(before))}
    return {}


def _curly_quotes_near(text: str, position: int) -> bool:
    """Whether a typographic quote stands where the error is, or on its line: JSON wants straight ones."""
    if text[position : position + 1] in tuple("“”„‘’"):
        return True
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return any(quote in text[start : end if end != -1 else len(text)] for quote in CURLY_QUOTES)


def _unclosed_bracket(text: str) -> tuple[str, int] | None:
    """The innermost ``[`` or ``{`` still open at the end of ``text``, and its index (strings skipped)."""
    stack: list[tuple[str, int]] = []
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _CLOSING:
            stack.append((char, index))
        elif char in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _line_of(text: str, index: int) -> int:
    """The 1-based line of the character before ``index``."""
    return text.count("\n", 0, max(index - 1, 0)) + 1
