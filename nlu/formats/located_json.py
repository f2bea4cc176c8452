"""A JSON reader that remembers the line of every object, array and string value.

Content authors need ``file:line`` in error messages, and the standard library only reports
positions for syntax errors. Hooking the pure-Python scanner keeps the real JSON grammar.
"""

from __future__ import annotations

import bisect
import json
from json.decoder import (  # type: ignore[attr-defined]  # pure-Python parts, public but not in typeshed
    JSONArray,
    JSONObject,
    scanstring,
)
from json.scanner import py_make_scanner  # type: ignore[attr-defined]  # idem
from typing import Any


class LocatedDict(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line: int = 0


class LocatedList(list[Any]):
    """A JSON array that knows the line it starts on."""

    line: int = 0


class LocatedStr(str):
    """A JSON string value that knows its line."""

    line: int = 0


class _LocatingDecoder(json.JSONDecoder):
    def __init__(self, text: str) -> None:
        super().__init__()
        newlines = [i for i, c in enumerate(text) if c == "\n"]

        def line_at(index: int) -> int:
            return bisect.bisect_left(newlines, index) + 1

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[LocatedDict, int]:
            value, end = JSONObject(s_and_end, *args)
            located = LocatedDict(value)
            located.line = line_at(s_and_end[1])
            return located, end

        def parse_array(s_and_end: tuple[str, int], scan_once: Any) -> tuple[LocatedList, int]:
            value, end = JSONArray(s_and_end, scan_once)
            located = LocatedList(value)
            located.line = line_at(s_and_end[1])
            return located, end

        def parse_string(s: str, end: int, strict: bool = True) -> tuple[LocatedStr, int]:
            value, new_end = scanstring(s, end, strict)
            located = LocatedStr(value)
            located.line = line_at(end)
            return located, new_end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.parse_string = parse_string
        self.scan_once = py_make_scanner(self)


def loads_located(text: str) -> Any:
    """Parse JSON text; objects, arrays and strings carry a ``line`` attribute.

    Raises json.JSONDecodeError (with ``lineno``) on invalid JSON.
    """
    return _LocatingDecoder(text).decode(text)


def line_of(document: Any, path: tuple[int | str, ...], default: int = 1) -> int:
    """The line of the deepest located value along ``path`` (a pydantic error location)."""
    line = getattr(document, "line", default) or default
    node = document
    tagged = None
    for key in path:
        if isinstance(node, dict) and node is not tagged and node.get("type") == key:
            tagged = node  # a tagged union's tag (a message's type): the object itself holds the rest
            continue
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line) or line
    return line
