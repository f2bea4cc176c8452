"""A content file's text, read the way authors' editors write it, or a problem at its line.

Every content file (``bot.toml``, JSON intent files, the Snips text layout) is read here:

- a UTF-8 byte-order mark (Windows Notepad writes one) is dropped, so that it neither breaks the
  JSON and TOML readers nor sticks to the first line of a text file (``\\ufeff%closed`` is not the
  option ``%closed``);
- bytes that are not UTF-8 are a problem at the line of the first bad byte;
- nesting deeper than :data:`MAX_NESTING` levels of ``[ ]`` and ``{ }`` is a problem at the line
  where it passes the limit: the parsers recurse once per level, and a few hundred levels would
  exhaust Python's stack. A content file needs five or six. (YAML conversation tests are checked
  here too, for their ``[ ]`` and ``{ }``; see :mod:`nlu.formats.located_yaml` for indentation.)
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from nlu.errors import ContentError, Problem

MAX_NESTING = 32

# Strings (skipped: brackets inside them do not count) and brackets, in each syntax.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_TOML_TOKENS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]')
_YAML_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]')  # flow style; see located_yaml
_TOKENS = {"json": _JSON_TOKENS, "toml": _TOML_TOKENS, "yaml": _YAML_TOKENS}


def read_content_text(path: Path, file: str) -> str:
    """The text of ``path`` without a leading byte-order mark; ContentError when it is not UTF-8."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ContentError([Problem(file=file, line=line, code="not-utf8", params={"reason": error.reason})]) from None


def nesting_problem(text: str, file: str, syntax: Literal["json", "toml", "yaml"]) -> Problem | None:
    """A problem at the line where ``text`` nests deeper than MAX_NESTING."""
    depth = 0
    for match in _TOKENS[syntax].finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                return Problem(file=file, line=line, code="too-deep", params={"limit": MAX_NESTING})
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return None
