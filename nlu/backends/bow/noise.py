"""Synthetic out-of-scope phrases, so the network learns a "none of the intents" class."""

from __future__ import annotations

import random
import string

from nlu.text import ARTICLES, POSSESSIVES, SUBJECT_PRONOUNS

# Common French words that carry no intent on their own.
_FILLERS = [
    *ARTICLES,
    "et",
    "ou",
    "mais",
    "donc",
    "or",
    "ni",
    "car",
    *SUBJECT_PRONOUNS,
    "ce",
    "cette",
    "ces",
    *POSSESSIVES,
    "très",
    "trop",
    "bien",
    "alors",
    "voilà",
    "bon",
    "oui",
    "non",
    "peut-être",
    "truc",
    "chose",
    "machin",
    "quoi",
    "hein",
    "euh",
    "bof",
    "rien",
    "tout",
    "encore",
    "toujours",
    "jamais",
    "ici",
    "là-bas",
]


def noise_phrases(count: int, rng: random.Random) -> list[str]:
    """Random letter strings and filler-word salads."""
    phrases = []
    for n in range(count):
        words = rng.randint(1, 5)
        if n % 2:
            phrases.append(" ".join(rng.choice(_FILLERS) for _ in range(words)))
        else:
            phrases.append(
                " ".join(
                    "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9))) for _ in range(words)
                )
            )
    return phrases
