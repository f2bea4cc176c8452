"""Find and resolve the entities of one bot in text, builtin and custom alike.

Used by the ``bow`` slot filler (matches become features, tagged spans become resolved slots)
and by the dialogue when it reads the answer to a slot question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from nlu.dataset import Entity
from nlu.entities.builtin import BUILTIN_ENTITIES, BuiltinParser, EntityMatch, is_builtin
from nlu.entities.custom import CustomEntities, custom_value
from nlu.entities.opening_hours import OpeningHours, narrowed_value
from nlu.parse_result import Slot, SlotRange


class EntityExtractor:
    """The builtin parser (loaded when first needed) and a bot's custom entities; with the bot's
    opening hours, a part of the day ("demain matin") is read within them."""

    def __init__(
        self, entities: dict[str, Entity], language: str = "fr", opening_hours: OpeningHours | None = None
    ) -> None:
        self.custom = CustomEntities(entities)
        self.language = language
        self.opening_hours = opening_hours
        self._builtin: BuiltinParser | None = None

    @property
    def builtin(self) -> BuiltinParser:
        """The Rust grammar parser, built on first use (it takes a fraction of a second)."""
        if self._builtin is None:
            self._builtin = BuiltinParser(self.language)
        return self._builtin

    def find(self, text: str, entities: Iterable[str]) -> list[EntityMatch]:
        """Matches of the given entities in ``text``, by position."""
        wanted = set(entities)
        builtin = [e for e in BUILTIN_ENTITIES if e in wanted]
        custom = [e for e in wanted if e in self.custom.entities]
        found = (self._builtin_matches(text, builtin) if builtin else []) + (
            self.custom.find(text, custom) if custom else []
        )
        return sorted(found, key=lambda m: (m.start, m.end, m.entity))

    def _builtin_matches(self, text: str, entities: list[str]) -> list[EntityMatch]:
        matches = self.builtin.find(text, entities)
        if self.opening_hours is None:
            return matches
        hours = self.opening_hours
        return [dataclasses.replace(m, value=narrowed_value(m.entity, m.raw_value, m.value, hours)) for m in matches]

    def resolve(
        self, text: str, start: int, end: int, entity: str, matches: list[EntityMatch] | None = None
    ) -> EntityMatch | None:
        """The entity value of ``text[start:end]``, a span a tagger marked; None if it has none.

        A builtin span takes the value of the parser's match with the same range, else of the
        whole span parsed alone (as snips-nlu does), else snaps to an overlapping match (a tagger may
        miss "le" of "le 14 juillet"). A custom span resolves synonyms to their value; a closed
        entity refuses values it does not list.
        """
        raw = text[start:end]
        if is_builtin(entity):
            pool = [m for m in (matches if matches is not None else self.find(text, [entity])) if m.entity == entity]
            exact = [m for m in pool if (m.start, m.end) == (start, end)]
            # Only a match of the whole span: "14 juillet 2018" inside "lendemain du 14 juillet
            # 2018" would resolve to the wrong day.
            alone = exact or [m for m in self.builtin.find(raw, [entity]) if (m.start, m.end) == (0, len(raw))]
            if alone:
                return EntityMatch(entity, start, end, raw, alone[0].value)
            overlapping = [m for m in pool if m.start < end and start < m.end]
            return max(overlapping, key=lambda m: min(end, m.end) - max(start, m.start), default=None)
        if entity not in self.custom.entities:
            return None
        value = self.custom.resolve(entity, raw)
        return EntityMatch(entity, start, end, raw, custom_value(value)) if value is not None else None


def to_slot(match: EntityMatch, slot_name: str) -> Slot:
    """A resolved match as a slot in the seed's JSON shape."""
    return Slot(
        entity=match.entity,
        range=SlotRange(start=match.start, end=match.end),
        rawValue=match.raw_value,
        slotName=slot_name,
        value=match.value,
    )
