"""Token features of the bow slot tagger (a linear-chain CRF).

Words and their neighbours carry free-text slots ("un rendez-vous avec [person](Marie)"); entity
matches (builtin dates and numbers, custom value lists) carry the rest; the intent lets one model
learn the slots of every intent.
"""

from __future__ import annotations

from nlu.entities.builtin import EntityMatch
from nlu.text import Token

_WINDOW = (-2, -1, 1, 2)


def shape(raw: str) -> str:
    """A coarse spelling class: digits, capitalised, upper case or lower case."""
    if any(c.isdigit() for c in raw):
        return "digit" if raw.isdigit() else "alnum"
    if raw.isupper() and len(raw) > 1:
        return "upper"
    return "title" if raw[:1].isupper() else "lower"


def entity_tags(tokens: list[Token], matches: list[EntityMatch]) -> list[list[str]]:
    """For each token, ``B:entity`` / ``I:entity`` for every match that covers it."""
    tags: list[list[str]] = [[] for _ in tokens]
    for match in matches:
        inside = [i for i, t in enumerate(tokens) if t.start < match.end and match.start < t.end]
        for position, index in enumerate(inside):
            tags[index].append(f"{'B' if position == 0 else 'I'}:{match.entity}")
    return tags


def sequence_features(tokens: list[Token], intent: str, tags: list[list[str]]) -> list[list[str]]:
    """The feature list of every token of one utterance."""
    norms = [t.norm for t in tokens]

    def word(index: int) -> str:
        return norms[index] if 0 <= index < len(norms) else ("<s>" if index < 0 else "</s>")

    sequence = []
    for i, token in enumerate(tokens):
        features = [
            "bias",
            f"i={intent}",
            f"w={token.norm}",
            f"s={token.stem}",
            f"iw={intent}|{token.norm}",
            f"p3={token.norm[:3]}",
            f"x3={token.norm[-3:]}",
            f"shape={shape(token.raw)}",
            f"bg-={word(i - 1)}|{token.norm}",
            f"bg+={token.norm}|{word(i + 1)}",
        ]
        features += [f"w{offset:+d}={word(i + offset)}" for offset in _WINDOW]
        features += [f"e={tag}" for tag in tags[i]]
        features += [f"e-1={tag}" for tag in (tags[i - 1] if i > 0 else [])]
        features += [f"e+1={tag}" for tag in (tags[i + 1] if i + 1 < len(tokens) else [])]
        sequence.append(features)
    return sequence
