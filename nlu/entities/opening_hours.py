"""Opening hours: when the business behind a bot is open, and parts of the day read within them.

``bot.toml`` may give them, one list of ranges per weekday (a day left out is closed), with the
time zone they are meant in::

    [opening_hours]
    timezone = "Europe/Paris"
    monday = ["09:00-19:00"]
    saturday = ["09:00-12:00", "14:00-19:00"]

The date grammar reads a part of the day by the clock: "demain matin" is 4 h to 12 h, "ce soir"
18 h to midnight. A shop that opens at 9 h means "from 9 h" when a visitor books "demain matin", so
such an interval is narrowed to the hours the shop is open that day. An interval the visitor gave
by the clock ("de 7 h à 10 h") is left as written, and so is a part of the day when the shop is
closed. Times are compared as written (wall-clock hours): the grammar resolves them on the
visitor's clock, which is the shop's. The time zone is for what needs the present moment (is the
shop open now?), e.g. a later handoff schedule.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from nlu.parse_result import Slot

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATETIME_ENTITY = "snips/datetime"
# Words of the grammar's parts of the day (folded of their accents by the pattern's classes).
_PART_OF_DAY = re.compile(r"\b(matin|matin[ée]e|apr[eè]s[- ]midi|soir|soir[ée]e|journ[ée]e|nuit|midi)\b", re.IGNORECASE)
# The grammar's datetime text: "2026-11-29 04:00:00 +00:00".
_GRAMMAR_FORMAT = "%Y-%m-%d %H:%M:%S %z"
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def _opening_range(text: str) -> str:
    match = _RANGE.match(text)
    if match is None or _minutes(text.split("-")[0]) >= _minutes(text.split("-")[1]):
        raise PydanticCustomError("bad-opening-range", "expected HH:MM-HH:MM, opening before closing")
    return text


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("unknown-time-zone", "unknown time zone {name}", {"name": name}) from None
    return name


OpeningRange = Annotated[str, AfterValidator(_opening_range)]


class OpeningHours(BaseModel):
    """The ``[opening_hours]`` table of ``bot.toml``: ranges per weekday, and their time zone."""

    model_config = ConfigDict(extra="forbid")

    timezone: Annotated[str, AfterValidator(_time_zone)] = "Europe/Paris"
    monday: list[OpeningRange] = Field(default_factory=list)
    tuesday: list[OpeningRange] = Field(default_factory=list)
    wednesday: list[OpeningRange] = Field(default_factory=list)
    thursday: list[OpeningRange] = Field(default_factory=list)
    friday: list[OpeningRange] = Field(default_factory=list)
    saturday: list[OpeningRange] = Field(default_factory=list)
    sunday: list[OpeningRange] = Field(default_factory=list)

    def ranges(self, weekday: int) -> list[tuple[int, int]]:
        """The day's opening ranges in minutes after midnight (0 is Monday), in order."""
        texts: list[str] = getattr(self, WEEKDAYS[weekday])
        return sorted((_minutes(t.split("-")[0]), _minutes(t.split("-")[1])) for t in texts)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def within_opening_hours(slots: list[Slot], hours: OpeningHours | None) -> list[Slot]:
    """``slots`` with every part of the day (a date slot such as "demain matin") narrowed to the
    hours the business is open that day; unchanged without opening hours."""
    if hours is None:
        return slots
    return [
        slot.model_copy(update={"value": value})
        if (value := narrowed_value(slot.entity, slot.raw_value, slot.value, hours)) is not slot.value
        else slot
        for slot in slots
    ]


def narrowed_value(entity: str, raw_value: str, value: dict[str, Any], hours: OpeningHours) -> dict[str, Any]:
    """An entity's value, narrowed to the opening hours when it is a part of the day; else ``value``
    itself (the same object)."""
    if entity != DATETIME_ENTITY or value.get("kind") != "TimeInterval" or not _PART_OF_DAY.search(raw_value):
        return value
    return narrow_interval(value, hours) or value


def narrow_interval(value: dict[str, Any], hours: OpeningHours) -> dict[str, Any] | None:
    """A grammar ``TimeInterval`` within one day narrowed to that day's opening hours; None when it
    spans several days, the shop is closed then, or it is already within the hours."""
    if not value.get("from") or not value.get("to"):
        return None
    start, end = (datetime.strptime(value[key], _GRAMMAR_FORMAT) for key in ("from", "to"))
    day = start.date()
    end_minutes = (end.date() - day).days * 24 * 60 + end.hour * 60 + end.minute
    if end_minutes > 24 * 60:
        return None
    start_minutes = start.hour * 60 + start.minute
    open_parts = [
        (max(opens, start_minutes), min(closes, end_minutes))
        for opens, closes in hours.ranges(day.weekday())
        if opens < end_minutes and start_minutes < closes
    ]
    if not open_parts:
        return None
    opens, closes = open_parts[0][0], open_parts[-1][1]
    if (opens, closes) == (start_minutes, end_minutes):
        return None
    midnight = datetime.combine(day, time(0), tzinfo=start.tzinfo)
    return {**value, "from": _at(midnight, opens), "to": _at(midnight, closes)}


def _at(midnight: datetime, minutes: int) -> str:
    """The grammar's datetime text, its offset written "+00:00" as the grammar does."""
    text = (midnight + timedelta(minutes=minutes)).strftime(_GRAMMAR_FORMAT)
    return f"{text[:-2]}:{text[-2:]}"
