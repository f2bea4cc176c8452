"""Custom entities: lists of values with synonyms, found in text and resolved to their value.

Words are compared in their folded form (lower case, no accents, elisions restored), so
"Etats-Unis", "États Unis" and "états-unis" all match the value "États-Unis".
"""

from __future__ import annotations

from collections import defaultdict

from nlu.dataset import Entity
from nlu.entities.builtin import EntityMatch
from nlu.text import tokenize

# Longer values are rare in content; capping the n-gram length keeps find() linear in the text.
MAX_VALUE_TOKENS = 12

Key = tuple[str, ...]


def words(text: str) -> Key:
    """The folded words of a value or of a piece of input."""
    return tuple(token.norm for token in tokenize(text))


def custom_value(value: str) -> dict[str, str]:
    """A resolved custom value in the seed's shape."""
    return {"kind": "Custom", "value": value}


class CustomEntities:
    """Every custom entity of a dataset, indexed by the words of its values and synonyms."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        self.entities = entities
        self._index: dict[Key, dict[str, str]] = defaultdict(dict)  # words -> {entity: value}
        for entity in entities.values():
            self._add(entity)

    def _add(self, entity: Entity) -> None:
        exact: dict[Key, str] = {}
        for item in entity.values:
            for form in [item.value, *(item.synonyms if entity.use_synonyms else [])]:
                key = words(form)
                if key and len(key) <= MAX_VALUE_TOKENS:
                    exact.setdefault(key, item.value)
        for key, value in _partial_keys(exact, entity.matching_strictness).items():
            self._index[key].setdefault(entity.name, value)
        for key, value in exact.items():  # an exact form beats a partial one
            self._index[key][entity.name] = value

    def extensible(self, entity: str) -> bool:
        """Whether ``entity`` accepts values that are not in its list."""
        return self.entities[entity].automatically_extensible

    def resolve(self, entity: str, raw_value: str) -> str | None:
        """The value ``raw_value`` stands for; itself for an unknown value of an extensible
        entity; None when a closed entity does not know it."""
        value = self._index.get(words(raw_value), {}).get(entity)
        if value is not None:
            return value
        return raw_value if self.extensible(entity) else None

    def find(self, text: str, scope: list[str] | None = None) -> list[EntityMatch]:
        """Known values in ``text``: for each entity, the longest matches, left to right."""
        tokens = tokenize(text)
        matches: list[EntityMatch] = []
        taken: dict[str, int] = defaultdict(int)  # entity -> first free token index
        for first in range(len(tokens)):
            for last in range(min(len(tokens), first + MAX_VALUE_TOKENS) - 1, first - 1, -1):
                key = tuple(t.norm for t in tokens[first : last + 1])
                for entity, value in self._index.get(key, {}).items():
                    if (scope is None or entity in scope) and taken[entity] <= first:
                        start, end = tokens[first].start, tokens[last].end
                        matches.append(EntityMatch(entity, start, end, text[start:end], custom_value(value)))
                        taken[entity] = last + 1
        return sorted(matches, key=lambda m: (m.start, m.end, m.entity))


def _partial_keys(exact: dict[Key, str], strictness: float) -> dict[Key, str]:
    """Runs of words standing for a longer value, as snips' ``matching_strictness`` allows:
    with 0.5, "Louvre" matches "musée du Louvre" (1 word of 3 is short of 0.5, "du Louvre" is not).
    A run shared by two values is ambiguous and dropped."""
    if strictness >= 1.0:
        return {}
    found: dict[Key, str | None] = {}
    for key, value in exact.items():
        for size in range(1, len(key)):
            if size / len(key) < strictness:
                continue
            for first in range(len(key) - size + 1):
                part = key[first : first + size]
                found[part] = value if found.get(part, value) == value else None
    return {key: value for key, value in found.items() if value is not None}
