"""Why the model prefers an intent: how much each word of the input pushes it up or down.

Occlusion: parse the text once as written, then once without each word in turn; a word's push
is what the intent's probability loses when the word is left out. It asks the model nothing but
``parse``, so it explains every backend the same way (bow today, snips too).

Probabilities saturate (a sentence at 99.6 % loses little with any single word removed), so each
word also gets its change in log-odds, which does not: ranking words by it stays meaningful.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from nlu.model import Model, clean
from nlu.parse_result import ParseResult
from nlu.text import Token, tokenize

# Each word costs one parse; longer inputs have their first words explained.
MAX_EXPLAINED_WORDS = 40
_EPSILON = 1e-6  # keeps log-odds finite at probabilities of exactly 0 or 1


class WordPush(BaseModel):
    """One word of the input and how much it pushes an intent (negative: pushes it away)."""

    word: str
    start: int = Field(description="offset of the word in the cleaned input")
    end: int
    push: float = Field(description="probability the intent loses when the word is left out")
    log_odds: float = Field(description="the same change in log-odds, which does not saturate")


class IntentWords(BaseModel):
    """An intent, its probability for the whole input, and each word's push."""

    intent: str
    probability: float
    words: list[WordPush]


def word_pushes(model: Model, text: str, intents: list[str]) -> list[IntentWords]:
    """Each word's push on each of ``intents``, for ``text`` as the model cleans it."""
    cleaned = clean(text)
    tokens = tokenize(cleaned)[:MAX_EXPLAINED_WORDS]
    whole = _probabilities(model, cleaned)
    without = [_probabilities(model, _leave_out(cleaned, token)) for token in tokens]
    return [
        IntentWords(
            intent=name,
            probability=whole.get(name, 0.0),
            words=[
                _push(token, whole.get(name, 0.0), rest.get(name, 0.0))
                for token, rest in zip(tokens, without, strict=True)
            ],
        )
        for name in intents
    ]


def _probabilities(model: Model, text: str) -> dict[str, float]:
    """Every intent's probability (asking for them all, not only the top few)."""
    result: ParseResult = model.parse(text, top_n=len(model.info.intents) + 1)
    return {guess.intent_name: guess.probability for guess in result.ranked if guess.intent_name}


def _leave_out(text: str, token: Token) -> str:
    """The text without one word; a space keeps its neighbours apart."""
    return f"{text[: token.start]} {text[token.end :]}"


def _push(token: Token, whole: float, without: float) -> WordPush:
    return WordPush(
        word=token.raw,
        start=token.start,
        end=token.end,
        push=round(whole - without, 4),
        log_odds=round(_logit(whole) - _logit(without), 3),
    )


def _logit(probability: float) -> float:
    p = min(max(probability, _EPSILON), 1 - _EPSILON)
    return math.log(p / (1 - p))
