"""Slot values written in French for responses: dates, times, durations, money, numbers.

Spaces inside a value are the non-breaking ones French typography and CLDR use (a line never
breaks between "322" and "€"): NBSP (U+00A0) or the narrow NNBSP (U+202F).
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogue.slot_text import slot_text
from nlu.parse_result import Slot, SlotRange

NBSP, NNBSP = "\u00a0", "\u202f"


def written(value: dict[str, Any], raw: str = "x") -> str:
    return slot_text(Slot(entity="e", range=SlotRange(start=0, end=len(raw)), rawValue=raw, slotName="s", value=value))


def instant(value: str, grain: str) -> dict[str, Any]:
    return {"kind": "InstantTime", "value": value, "grain": grain, "precision": "Exact"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (instant("2018-07-15 00:00:00 +00:00", "Day"), "le dimanche 15 juillet 2018"),
        (instant("2026-11-01 00:00:00 +00:00", "Day"), "le dimanche 1er novembre 2026"),
        (instant("2026-11-23 00:00:00 +00:00", "Week"), "la semaine du lundi 23 novembre 2026"),
        (instant("2026-02-01 00:00:00 +00:00", "Month"), "février 2026"),
        (instant("2026-08-01 00:00:00 +00:00", "Quarter"), "août 2026"),
        (instant("2026-01-01 00:00:00 +00:00", "Year"), "2026"),
    ],
)
def test_dates(value: dict[str, Any], text: str) -> None:
    assert written(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (instant("2026-11-23 15:30:00 +00:00", "Minute"), "le lundi 23 novembre 2026 à 15 h 30"),
        (instant("2026-11-23 15:00:00 +00:00", "Hour"), "le lundi 23 novembre 2026 à 15 h"),
        # The clock of the value's own offset, minutes on two digits.
        (instant("2026-11-23 09:05:00 +01:00", "Minute"), "le lundi 23 novembre 2026 à 9 h 05"),
    ],
)
def test_times(value: dict[str, Any], text: str) -> None:
    assert written(value) == text


@pytest.mark.parametrize(
    ("bounds", "text"),
    [
        # The parser's end is exclusive: "du 3 au 10 août" ends at midnight on the 11th.
        (("2027-08-03 00:00:00 +00:00", "2027-08-11 00:00:00 +00:00"), "du mardi 3 août 2027 au mardi 10 août 2027"),
        (
            ("2026-11-23 14:00:00 +00:00", "2026-11-23 18:30:00 +00:00"),
            "le lundi 23 novembre 2026 de 14 h à 18 h 30",
        ),
        (
            ("2026-11-23 14:00:00 +00:00", "2026-11-25 10:00:00 +00:00"),
            "du lundi 23 novembre 2026 à 14 h au mercredi 25 novembre 2026 à 10 h",
        ),
        (("2026-12-01 00:00:00 +00:00", None), "à partir du mardi 1er décembre 2026"),
        ((None, "2026-12-01 18:00:00 +00:00"), "jusqu'au mardi 1er décembre 2026 à 18 h"),
    ],
)
def test_time_intervals(bounds: tuple[str | None, str | None], text: str) -> None:
    assert written({"kind": "TimeInterval", "from": bounds[0], "to": bounds[1]}) == text


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({"weeks": 1, "days": 2, "hours": 3, "minutes": 0}, f"1{NBSP}semaine, 2{NBSP}jours et 3{NBSP}heures"),
        ({"days": 1}, f"1{NBSP}jour"),
        # CLDR's French writes "2 ans" and "1 trimestre" with a plain space, the other units with NBSP.
        (
            {"years": 2, "quarters": 1, "months": 3, "minutes": 1, "seconds": 30},
            f"2 ans, 1 trimestre, 3{NBSP}mois, 1 minute et 30{NBSP}secondes",
        ),
        ({"days": 0}, "0 minute"),
    ],
)
def test_durations(counts: dict[str, int], text: str) -> None:
    assert written({"kind": "Duration", **counts, "precision": "Exact"}) == text


@pytest.mark.parametrize(
    ("amount", "unit", "precision", "text"),
    [
        (322.0, "EUR", "Exact", f"322{NBSP}€"),  # a whole amount without ",00"
        (12.5, "EUR", "Exact", f"12,50{NBSP}€"),  # cents always on two digits
        (1500.0, "EUR", "Approximate", f"environ 1{NNBSP}500{NBSP}€"),
        (20.0, "USD", "Exact", f"20{NBSP}$US"),
        (20.0, "GBP", "Exact", f"20{NBSP}£GB"),
        (50.0, "cent", "Exact", "50 centimes"),
        (7.0, "$", "Exact", "7 $"),  # dollars of no known country
        (7.0, None, "Exact", "7"),
    ],
)
def test_money(amount: float, unit: str | None, precision: str, text: str) -> None:
    assert written({"kind": "AmountOfMoney", "value": amount, "precision": precision, "unit": unit}) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"kind": "Number", "value": 3.0}, "3"),
        ({"kind": "Number", "value": 12.5}, "12,5"),
        ({"kind": "Number", "value": 1200.0}, f"1{NNBSP}200"),
        ({"kind": "Number", "value": -4.0}, "-4"),
        ({"kind": "Ordinal", "value": 1}, "1er"),
        ({"kind": "Ordinal", "value": 3}, "3e"),
        ({"kind": "Percentage", "value": 12.5}, f"12,5{NBSP}%"),
        ({"kind": "Percentage", "value": 33.3}, f"33,3{NBSP}%"),
        ({"kind": "Temperature", "value": 20.0, "unit": "celsius"}, f"20{NNBSP}°C"),
        ({"kind": "Temperature", "value": -3.5, "unit": "fahrenheit"}, f"-3,5{NNBSP}°F"),
        ({"kind": "Temperature", "value": 20.0, "unit": None}, "20°"),
    ],
)
def test_numbers(value: dict[str, Any], text: str) -> None:
    assert written(value) == text


def test_custom_values_are_written_as_resolved() -> None:
    assert written({"kind": "Custom", "value": "vert"}, raw="verte") == "vert"


@pytest.mark.parametrize(
    "value",
    [
        {"kind": "Unheard-of", "value": 3},
        {"kind": "InstantTime", "value": "not a date", "grain": "Day"},
        {"kind": "TimeInterval"},
        {"kind": "AmountOfMoney", "unit": "EUR"},
    ],
)
def test_values_of_unknown_shape_keep_the_words_typed(value: dict[str, Any]) -> None:
    assert written(value, raw="ce truc-là") == "ce truc-là"
