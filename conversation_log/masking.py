"""Personal data out of every text before the log stores it.

Each kind is found by a loose pattern and kept only when it checks out, so that ordinary numbers
(prices, dates, times, booking numbers, postcodes) are left alone: IBANs by their mod-97 check,
card numbers by Luhn, French social security numbers (NIR) by their key (python-stdnum), French
phone numbers by Google's libphonenumber rules (phonenumbers). Authors add their own patterns in
``bot.toml`` (``[privacy] mask_patterns``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import phonenumbers
from stdnum import iban, luhn
from stdnum.fr import nir

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# Two letters, two check digits, then 11 to 30 letters or digits, possibly in groups of four.
IBAN_CANDIDATE = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}\b")
# Sex, year, month, department (2A/2B for Corsica), commune, order, key: 15 characters, spaced or not.
NIR_CANDIDATE = re.compile(r"\b[1-478][ ]?\d{2}[ ]?\d{2}[ ]?(?:\d{2}|2[AaBb])[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}\b")
CARD_CANDIDATE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")

Check = Callable[[str], bool]
DIGIT = re.compile(r"\d")
# Every built-in kind but e-mail has at least this many digits (a French phone number has 9 after
# its 0 or +33; IBANs, card numbers and NIRs more): a text with fewer, and no '@', is skipped.
MIN_DIGITS = 8


def _compact(value: str) -> str:
    return re.sub(r"[ -]", "", value)


def _is_card(value: str) -> bool:
    return luhn.is_valid(_compact(value))


def _is_nir(value: str) -> bool:
    return bool(nir.is_valid(_compact(value)))


def _is_iban(value: str) -> bool:
    return bool(iban.is_valid(value))


# Order matters: an IBAN or a NIR holds digit runs a card or phone search would otherwise take.
CHECKED_KINDS: tuple[tuple[str, re.Pattern[str], Check], ...] = (
    ("<IBAN>", IBAN_CANDIDATE, _is_iban),
    ("<NIR>", NIR_CANDIDATE, _is_nir),
    ("<CARTE>", CARD_CANDIDATE, _is_card),
)


class Masker:
    """Replaces personal data with a tag naming its kind: ``<EMAIL>``, ``<TELEPHONE>``, ``<IBAN>``,
    ``<CARTE>``, ``<NIR>``, and ``<NAME>`` for each of the author's patterns."""

    def __init__(self, author_patterns: Mapping[str, str] | None = None) -> None:
        self.author_patterns = [
            (f"<{name.upper()}>", re.compile(pattern)) for name, pattern in (author_patterns or {}).items()
        ]

    def text(self, value: str) -> str:
        """``value`` with every piece of personal data replaced by its tag."""
        if "@" in value or len(DIGIT.findall(value)) >= MIN_DIGITS:
            value = EMAIL.sub("<EMAIL>", value)
            for tag, pattern, is_valid in CHECKED_KINDS:
                value = _mask_checked(value, pattern, is_valid, tag)
            value = _mask_phones(value)
        for tag, pattern in self.author_patterns:
            value = pattern.sub(tag, value)
        return value

    def json(self, value: Any) -> Any:
        """A JSON value with every string in it masked (keys are the code's, left as they are)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value


def _mask_checked(value: str, pattern: re.Pattern[str], is_valid: Check, tag: str) -> str:
    """Mask the longest valid prefix of each candidate (a candidate may run into the next word)."""
    parts, position = [], 0
    for match in pattern.finditer(value):
        if match.start() < position:
            continue
        end = _longest_valid_end(match[0], is_valid)
        if end:
            parts += [value[position : match.start()], tag]
            position = match.start() + end
    return "".join([*parts, value[position:]])


def _longest_valid_end(candidate: str, is_valid: Check) -> int:
    """The length of the longest prefix of ``candidate`` that checks out, cut at spaces (0: none)."""
    ends = [len(candidate)] + [index for index in range(len(candidate) - 1, 0, -1) if candidate[index] == " "]
    return next((end for end in ends if is_valid(candidate[:end])), 0)


def _mask_phones(value: str) -> str:
    """French numbers in any usual spelling (06 12 34 56 78, 0612345678, +33 6 12..., 01.23...)."""
    found = list(_phone_spans(value))
    for start, end in reversed(found):
        value = f"{value[:start]}<TELEPHONE>{value[end:]}"
    return value


def _phone_spans(value: str) -> Iterator[tuple[int, int]]:
    for match in phonenumbers.PhoneNumberMatcher(value, "FR"):
        yield match.start, match.end
