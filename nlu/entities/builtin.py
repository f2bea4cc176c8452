"""Builtin entities: French dates, numbers, amounts... from the grammar in snips-nlu-parsers.

The Rust library inside ``snips_nlu_parsers`` parses and resolves them; it is the same parser the
``snips`` backend uses, so both backends give the same values for the same words. It is loaded on
first use only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nlu.errors import ModelError

# The grammar entities that work offline in French. The gazetteer ones (snips/city, snips/country,
# music...) need data files that are downloaded from GitHub: not available here.
BUILTIN_ENTITIES: tuple[str, ...] = (
    "snips/amountOfMoney",
    "snips/datetime",
    "snips/duration",
    "snips/number",
    "snips/ordinal",
    "snips/percentage",
    "snips/temperature",
)
BUILTIN_PREFIX = "snips/"
MISSING_PARSER = (
    "the builtin-entity parser (snips-nlu-parsers) is not installed, and dates, numbers and amounts "
    "need it: install Causette with scripts/install.sh (`make install` runs it), which adds it"
)

# With snips/datetime in scope the parser reports finer kinds for some phrases ("dans 3 mois" is a
# snips/date); a slot declared as snips/datetime accepts all of them, as snips-nlu does.
_DATETIME_KINDS = frozenset({"snips/datetime", "snips/date", "snips/time", "snips/datePeriod", "snips/timePeriod"})

# A French phone number: 0 or +33 / 0033, then nine digits, in pairs separated by nothing, a space, a
# dot or a dash ("06 12 34 56 78", "+33 6 12 34 56 78", "0612345678"). The grammar reads its first
# pairs as a date ("le 06 12 34": 6 December 2034) and the rest as numbers: a phone number is none
# of those.
_FRENCH_PHONE_NUMBER = re.compile(r"(?<![\d+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)")


def is_builtin(entity: str) -> bool:
    """True for a ``snips/...`` entity name (supported or not)."""
    return entity.startswith(BUILTIN_PREFIX)


@dataclass(frozen=True)
class EntityMatch:
    """An entity found in a text: its span (end exclusive), the words and the resolved value."""

    entity: str
    start: int
    end: int
    raw_value: str
    value: dict[str, Any]


class BuiltinParser:
    """French builtin entities, parsed and resolved like snips-nlu does.

    Resolved values keep the parser's shape, which is the seed's: ``{"kind": "InstantTime",
    "value": "2018-07-15 00:00:00 +00:00", "grain": "Day", "precision": "Exact"}``. Relative
    dates ("demain") resolve against the current clock in UTC.
    """

    def __init__(self, language: str = "fr") -> None:
        try:
            from snips_nlu_parsers import BuiltinEntityParser  # native library: loaded on demand
        except ImportError as error:  # a plain `pip install` skips it: it cannot be a requirement
            raise ModelError(MISSING_PARSER) from error
        self._parser = BuiltinEntityParser.build(language=language)

    def find(self, text: str, scope: list[str] | tuple[str, ...] = BUILTIN_ENTITIES) -> list[EntityMatch]:
        """Entities of the kinds in ``scope`` found in ``text``, in order of position."""
        wanted = [entity for entity in scope if entity in BUILTIN_ENTITIES]
        if not wanted or not text.strip():
            return []
        # Lower-cased as snips-nlu does ("Le lendemain" is not found otherwise), when that keeps
        # offsets valid (a few characters change length when lower-cased).
        lowered = text.lower()
        query = _mask_phone_numbers(lowered if len(lowered) == len(text) else text)
        found = self._parser.parse(query, scope=wanted)
        matches = [_to_match(text, item, wanted) for item in found]
        return sorted((m for m in matches if m is not None), key=lambda m: (m.start, m.end))


def phone_number_spans(text: str) -> list[tuple[int, int]]:
    """Where French phone numbers are in ``text``: (start, end) pairs, end exclusive.

    A backend whose own grammar reads entities (snips-nlu) can drop the slots that overlap them.
    """
    return [number.span() for number in _FRENCH_PHONE_NUMBER.finditer(text)]


def _mask_phone_numbers(text: str) -> str:
    """``text`` with every French phone number covered by ``#``, offsets unchanged.

    Not by spaces: the grammar reads across them ("au ... demain" would become one date).
    """
    for start, end in phone_number_spans(text):
        text = text[:start] + "#" * (end - start) + text[end:]
    return text


def _to_match(text: str, item: dict[str, Any], wanted: list[str]) -> EntityMatch | None:
    kind = item["entity_kind"]
    if kind not in wanted:
        if kind in _DATETIME_KINDS and "snips/datetime" in wanted:
            kind = "snips/datetime"
        else:
            return None
    start, end = item["range"]["start"], item["range"]["end"]
    return EntityMatch(entity=kind, start=start, end=end, raw_value=text[start:end], value=item["entity"])
