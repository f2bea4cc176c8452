"""The seed's slot notation inside a pattern: ``la capitale de la [country:country_fr](Grèce)``.

The same notation is used by JSON patterns and by the lines of Snips-style text files. A broken
annotation is reported with the column where reading it failed, so that an author finds it in a
long line.
"""

from __future__ import annotations

import re

from nlu.dataset import Chunk, SourceRef, Utterance

# A slot name is a word (it is used in response templates as {name}); an entity name may also
# hold '/', '.' and '-' (builtin entities are called snips/datetime, snips/amountOfMoney...).
_SLOT_NAME = re.compile(r"[^\W\d][\w-]*")
_ENTITY_NAME = re.compile(r"[^\W\d][\w./-]*")


class AnnotationError(ValueError):
    """A pattern whose slot annotations cannot be read."""


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
        raise _error(closing, "']' without a matching '['")
    return None if opening == -1 else opening


def _read_annotation(text: str, opening: int) -> tuple[str, str, str, int]:
    """Read ``[slot:entity](value)`` starting at ``opening``; return its parts and its end."""
    closing = text.find("]", opening + 1)
    nested = text.find("[", opening + 1)
    if closing == -1:
        raise _error(opening, "'[' is never closed: write [slot:entity](value)")
    if nested != -1 and nested < closing:
        raise _error(nested, "'[' inside a slot annotation")
    slot, colon, entity = text[opening + 1 : closing].partition(":")
    slot, entity = slot.strip(), entity.strip()
    if not colon:
        raise _error(opening, f"[{slot}] names no entity: write [{slot or 'slot'}:entity](value)")
    if not _SLOT_NAME.fullmatch(slot):
        raise _error(opening, f"{slot!r} is not a valid slot name (a word: letters, digits, _ or -)")
    if not _ENTITY_NAME.fullmatch(entity):
        raise _error(opening, f"{entity!r} is not a valid entity name")
    if not text.startswith("(", closing + 1):
        raise _error(closing + 1, f"[{slot}:{entity}] must be followed by its example value in (...)")
    end = text.find(")", closing + 2)
    if end == -1:
        raise _error(closing + 1, "'(' of the slot value is never closed")
    value = text[closing + 2 : end]
    if "(" in value or "[" in value or "]" in value:
        raise _error(closing + 2, "a slot value cannot contain brackets or parentheses")
    if not value.strip():
        raise _error(closing + 1, f"slot {slot!r} has an empty value")
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


def _error(index: int, message: str) -> AnnotationError:
    return AnnotationError(f"column {index + 1}: {message}")
