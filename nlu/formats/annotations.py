"""The seed's slot notation inside a pattern: ``la capitale de la [country:country_fr](Grèce)``.

The same notation is used by JSON patterns and by the lines of Snips-style text files. A broken
annotation is reported with the column where reading it failed, so that an author finds it in a
long line.
"""

from __future__ import annotations

import re

from nlu.dataset import Chunk, SourceRef, Utterance
from nlu.messages import ParamValue, render

# A slot name is a word (it is used in response templates as {name}); an entity name may also
# hold '/', '.' and '-' (builtin entities are called snips/datetime, snips/amountOfMoney...).
_SLOT_NAME = re.compile(r"[^\W\d][\w-]*")
_ENTITY_NAME = re.compile(r"[^\W\d][\w./-]*")


class AnnotationError(ValueError):
    """A pattern whose slot annotations cannot be read: a message code, its parameters, a column."""

    def __init__(self, column: int, code: str, **params: ParamValue) -> None:
        self.column = column
        self.code = code
        self.params = params
        super().__init__(f"column {column}: {render(code, params, 'en')}")

    def problem_params(self, example: str) -> dict[str, ParamValue]:
        """The parameters of a ``bad-example``/``bad-pattern`` problem about ``example``."""
        return {**self.params, "example": example, "column": self.column, "detail_code": self.code}


def parse_pattern(text: str, source: SourceRef | None = None) -> Utterance:
    """Cut an annotated pattern into chunks; raise AnnotationError on a broken annotation."""
    chunks: list[Chunk] = []
    position = 0
    while (opening := _next_bracket(text, position)) is not None:
        _add_plain(chunks, text[position:opening])
        slot, entity, value, position = _read_annotation(text, opening)
        _add_slot(chunks, slot, entity, value)
    _add_plain(chunks, text[position:])
    return Utterance(chunks=tuple(chunks), source=source)


def _next_bracket(text: str, start: int) -> int | None:
    """Index of the next '[' at or after ``start``; a stray ']' before it is an error."""
    opening = text.find("[", start)
    closing = text.find("]", start)
    if closing != -1 and (opening == -1 or closing < opening):
        raise _error(closing, "annotation-stray-close")
    return None if opening == -1 else opening


def _read_annotation(text: str, opening: int) -> tuple[str, str, str, int]:
    """Read ``[slot:entity](value)`` starting at ``opening``; return its parts and its end."""
    closing = text.find("]", opening + 1)
    nested = text.find("[", opening + 1)
    if closing == -1:
        raise _error(opening, "annotation-unclosed")
    if nested != -1 and nested < closing:
        raise _error(nested, "annotation-nested")
    slot, colon, entity = text[opening + 1 : closing].partition(":")
    slot, entity = slot.strip(), entity.strip()
    if not colon:
        raise _error(opening, "annotation-no-entity", slot=slot, slot_hint=slot or "slot")
    if not _SLOT_NAME.fullmatch(slot):
        raise _error(opening, "annotation-bad-slot-name", slot=slot)
    if not _ENTITY_NAME.fullmatch(entity):
        raise _error(opening, "annotation-bad-entity-name", entity=entity)
    if not text.startswith("(", closing + 1):
        raise _error(closing + 1, "annotation-no-value", slot=slot, entity=entity)
    end = text.find(")", closing + 2)
    if end == -1:
        raise _error(closing + 1, "annotation-value-unclosed")
    value = text[closing + 2 : end]
    if "(" in value or "[" in value or "]" in value:
        raise _error(closing + 2, "annotation-value-brackets")
    if not value.strip():
        raise _error(closing + 1, "annotation-empty-value", slot=slot)
    return slot, entity, value, end + 1


def _add_plain(chunks: list[Chunk], text: str) -> None:
    if text:
        if chunks and chunks[-1].slot_name is None:
            chunks[-1] = Chunk(text=chunks[-1].text + text)
        else:
            chunks.append(Chunk(text=text))


def _add_slot(chunks: list[Chunk], slot: str, entity: str, value: str) -> None:
    """Spaces written inside the parentheses belong to the sentence, not to the slot value."""
    stripped = value.strip()
    leading = value[: len(value) - len(value.lstrip())]
    trailing = value[len(value.rstrip()) :]
    _add_plain(chunks, leading)
    chunks.append(Chunk(text=stripped, slot_name=slot, entity=entity))
    _add_plain(chunks, trailing)


def _error(index: int, code: str, **params: ParamValue) -> AnnotationError:
    return AnnotationError(index + 1, code, **params)
