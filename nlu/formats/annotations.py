"""The seed's slot notation inside a pattern: ``la capitale de la [country:country_fr](Grèce)``."""

from __future__ import annotations

import re

from nlu.dataset import Chunk, SourceRef, Utterance

_SLOT = re.compile(r"\[(?P<slot>[^\[\]():]+):(?P<entity>[^\[\]():]+)\]\((?P<value>[^()\[\]]+)\)")


class AnnotationError(ValueError):
    """A pattern whose slot annotations cannot be read."""


def parse_pattern(text: str, source: SourceRef | None = None) -> Utterance:
    """Cut an annotated pattern into chunks; raise AnnotationError on broken brackets."""
    chunks: list[Chunk] = []
    position = 0
    for match in _SLOT.finditer(text):
        _check_plain(text[position : match.start()])
        if match.start() > position:
            chunks.append(Chunk(text=text[position : match.start()]))
        chunks.append(
            Chunk(
                text=match["value"],
                slot_name=match["slot"].strip(),
                entity=match["entity"].strip(),
            )
        )
        position = match.end()
    _check_plain(text[position:])
    if position < len(text):
        chunks.append(Chunk(text=text[position:]))
    return Utterance(chunks=tuple(chunks), source=source)


def _check_plain(segment: str) -> None:
    """Plain text may hold ( and ) (smileys, asides) but no square bracket."""
    if "[" in segment or "]" in segment:
        raise AnnotationError(
            "unbalanced or malformed slot annotation: write [slot:entity](value)"
        )
