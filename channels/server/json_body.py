"""Strict reading of JSON request bodies: what Python's ``json`` accepts but JSON does not is refused.

``json.loads`` reads ``NaN``, ``Infinity`` and ``1e999`` (as an infinite float), and recurses once
per nesting level; left to it, such bodies end in a 500 (a validation error echoing ``nan`` cannot
be written back as JSON) or a 400. Here they are refused first, with FastAPI's 422 body shape.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32  # levels of arrays and objects; the API's bodies have two


class JsonRefused(ValueError):
    """A body that is not strict, reasonably shallow JSON; the message says why."""


def check_json(body: bytes) -> None:
    """Return when ``body`` is strict UTF-8 JSON at most MAX_DEPTH deep, else JsonRefused."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonRefused(f"body is not JSON: invalid UTF-8 at byte {error.start}") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise JsonRefused(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, and integers too long to convert
        raise JsonRefused(f"invalid JSON: {error}") from None
    if _depth(value) > MAX_DEPTH:
        raise JsonRefused(f"JSON nested deeper than {MAX_DEPTH} levels")


def validation_error_body(reason: str) -> dict[str, Any]:
    """The 422 body for a refused JSON body, shaped as FastAPI's validation errors."""
    return {"detail": [{"type": "json_invalid", "loc": ["body"], "msg": reason, "input": None}]}


def _refuse_constant(name: str) -> float:
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonRefused(f"number {text[:20]} is too large")
    return number


def _depth(value: object) -> int:
    """How many arrays and objects are nested in ``value`` (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
