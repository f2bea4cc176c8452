"""Entities read as the visitor meant them: a phone number is never a date, nor a list of numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import Model
from nlu.entities.builtin import phone_number_spans
from nlu.entities.extractor import EntityExtractor

DATES_AND_NUMBERS = ["snips/datetime", "snips/number"]


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor({})


def readings(extractor: EntityExtractor, text: str) -> list[tuple[str, str]]:
    return [(match.entity, match.raw_value) for match in extractor.find(text, DATES_AND_NUMBERS)]


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "01 06 07 08 09",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
    ],
)
def test_a_phone_number_is_neither_a_date_nor_numbers(extractor: EntityExtractor, number: str) -> None:
    assert readings(extractor, f"mon numéro est le {number}") == []


def test_phone_number_spans_cover_the_whole_number_and_nothing_else() -> None:
    text = "samedi au 06 12 34 56 78 ou au +33 1 06 07 08 09, pas le 12 06 2030"
    spans = phone_number_spans(text)
    assert [text[start:end] for start, end in spans] == ["06 12 34 56 78", "+33 1 06 07 08 09"]


def test_the_date_next_to_a_phone_number_is_still_read(extractor: EntityExtractor) -> None:
    text = "pour samedi, mon numéro est le 06 12 34 56 78"
    assert readings(extractor, text) == [("snips/datetime", "pour samedi")]
    assert readings(extractor, "samedi 06 12 34 56 78") == [("snips/datetime", "samedi")]
    assert readings(extractor, "appelez-moi au 0612345678 demain") == [("snips/datetime", "demain")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 06/12/2030", "2030-12-06"),
        ("le 12 06 2030", "2030-06-12"),
        ("le 14 juillet 2030", "2030-07-14"),
    ],
)
def test_dates_written_in_digits_are_still_dates(extractor: EntityExtractor, text: str, expected: str) -> None:
    (match,) = extractor.find(text, ["snips/datetime"])
    assert match.raw_value == text
    assert match.value["value"].startswith(expected)


def test_numbers_that_are_not_phone_numbers_are_still_numbers(extractor: EntityExtractor) -> None:
    assert readings(extractor, "3 scooters et 612345678 points") == [
        ("snips/number", "3"),
        ("snips/number", "612345678"),
    ]


def test_resolving_a_tagged_phone_number_as_a_date_gives_nothing(extractor: EntityExtractor) -> None:
    text = "réservez pour le 06 12 34 56 78"
    start = text.index("le 06")
    assert extractor.resolve(text, start, len(text), "snips/datetime") is None


@pytest.fixture(scope="module")
def demo_model(demo_model_dir: Path) -> Model:
    return Model.load(demo_model_dir)


def test_the_demo_bot_books_saturday_not_the_phone_number(demo_model: Model) -> None:
    result = demo_model.parse("je voudrais réserver un scooter pour samedi, mon numéro est le 06 12 34 56 78")
    dates = [slot for slot in result.slots if slot.slot_name == "date"]
    assert [slot.raw_value for slot in dates] == ["samedi"]


def test_both_backends_book_saturday_not_the_phone_number(booking_model: Model) -> None:
    text = "je voudrais réserver un scooter vert pour samedi, mon numéro est le 06 12 34 56 78"
    dates = [slot.raw_value for slot in booking_model.parse(text).slots if slot.slot_name == "date"]
    assert len(dates) == 1 and "samedi" in dates[0] and "06" not in dates[0]
