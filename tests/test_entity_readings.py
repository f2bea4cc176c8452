"""Entities read as the visitor meant them: a phone number is never a date, nor a list of numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialogue import DialogueEngine
from nlu import ContentError, Model, load_bot
from nlu.config import load_config
from nlu.entities.builtin import phone_number_spans
from nlu.entities.extractor import EntityExtractor
from nlu.entities.opening_hours import WEEKDAYS, OpeningHours
from tests.support import DEMO_BOT

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
    dates = [slot.raw_value for slot in result.slots if slot.slot_name == "date"]
    assert len(dates) == 1 and "samedi" in dates[0] and "06" not in dates[0]


def test_both_backends_book_saturday_not_the_phone_number(booking_model: Model) -> None:
    text = "je voudrais réserver un scooter vert pour samedi, mon numéro est le 06 12 34 56 78"
    dates = [slot.raw_value for slot in booking_model.parse(text).slots if slot.slot_name == "date"]
    assert len(dates) == 1 and "samedi" in dates[0] and "06" not in dates[0]


# Open 9 h - 19 h, with a lunch break on Saturdays, closed on Sundays.
SHOP_HOURS = OpeningHours.model_validate(
    {**{day: ["09:00-19:00"] for day in WEEKDAYS[:5]}, "saturday": ["09:00-12:00", "14:00-19:00"]}
)


def _interval(extractor: EntityExtractor, text: str) -> tuple[str, str]:
    (match,) = extractor.find(text, ["snips/datetime"])
    return match.value["from"][11:16], match.value["to"][11:16]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le mardi 3 décembre 2030 au matin", ("09:00", "12:00")),  # 4 h - 12 h by the clock
        ("le mardi 3 décembre 2030 au soir", ("18:00", "19:00")),  # 18 h - midnight
        ("le samedi 7 décembre 2030 dans l'après-midi", ("14:00", "19:00")),  # after the lunch break
        ("le samedi 7 décembre 2030 au matin", ("09:00", "12:00")),
        ("le mardi 3 décembre 2030 de 7h à 10h", ("07:00", "10:00")),  # by the clock: as written
        ("le dimanche 8 décembre 2030 au matin", ("04:00", "12:00")),  # closed that day: as the grammar reads it
        ("la nuit du mardi 3 décembre 2030", ("00:00", "06:00")),  # never open then: as read
    ],
)
def test_a_part_of_the_day_is_read_within_the_opening_hours(text: str, expected: tuple[str, str]) -> None:
    assert _interval(EntityExtractor({}, opening_hours=SHOP_HOURS), text) == expected


def test_without_opening_hours_a_part_of_the_day_is_the_grammars(extractor: EntityExtractor) -> None:
    assert _interval(extractor, "le mardi 3 décembre 2030 au matin") == ("04:00", "12:00")


def test_both_backends_read_tomorrow_morning_within_the_opening_hours(booking_model: Model) -> None:
    text = "je voudrais réserver un scooter vert pour demain matin"
    served = Model(booking_model.backend, booking_model.info.model_copy(update={"opening_hours": SHOP_HOURS}))
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    [date] = [slot for slot in served.parse(text).slots if slot.slot_name == "date"]
    opens = "04:00" if tomorrow.weekday() == 6 else "09:00"  # the shop is closed on Sundays
    assert (date.value["from"][:16], date.value["to"][11:16]) == (f"{tomorrow.isoformat()} {opens}", "12:00")
    [again] = [slot for slot in served.slots_for_intent(text, "reservation") if slot.slot_name == "date"]
    assert again.value == date.value
    [unclipped] = [slot for slot in booking_model.parse(text).slots if slot.slot_name == "date"]
    assert unclipped.value["from"][11:16] == "04:00"


async def test_the_demo_bot_books_tomorrow_morning_from_nine(demo_model: Model) -> None:
    bot = load_bot(DEMO_BOT)
    assert bot.config.opening_hours is not None and bot.config.opening_hours.ranges(0) == [(9 * 60, 19 * 60)]
    engine = DialogueEngine.in_memory(bot, demo_model)
    await engine.handle("s", "je voudrais réserver un scooter rose")
    turn = await engine.handle("s", "demain matin")
    # The booking's date as the bot writes it (its action, not run here, would confirm it).
    assert "de 9 h à 12 h" in turn.slots["date"].text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[opening_hours]\nmonday = ["9h-19h"]\n', "opening_hours.monday.0: plage horaire attendue"),
        ('[opening_hours]\nmonday = ["19:00-09:00"]\n', "opening_hours.monday.0: plage horaire attendue"),
        ('[opening_hours]\ntimezone = "Europe/Pariss"\n', "fuseau horaire inconnu « Europe/Pariss »"),
        ('[opening_hours]\nmondays = ["09:00-19:00"]\n', "vouliez-vous dire « monday » ?"),
    ],
)
def test_bad_opening_hours_are_content_errors_in_french(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "bot.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_config(tmp_path)
    [problem] = raised.value.problems
    assert problem.file == "bot.toml" and problem.line >= 1
    assert message in problem.text("fr")
