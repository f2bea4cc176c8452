"""Slot values written in French for responses: "C'est noté pour {date}." -> "... pour le
samedi 28 novembre 2026."

Resolved values are what the response shows, not the words the user typed: "pour samedi" was
typed, but "pour pour samedi" would read badly and "samedi" alone does not confirm which one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nlu.parse_result import Slot

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DURATION_UNITS = (
    ("years", "an", "ans"),
    ("quarters", "trimestre", "trimestres"),
    ("months", "mois", "mois"),
    ("weeks", "semaine", "semaines"),
    ("days", "jour", "jours"),
    ("hours", "heure", "heures"),
    ("minutes", "minute", "minutes"),
    ("seconds", "seconde", "secondes"),
)
CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "cent": "centimes"}
TEMPERATURE_UNITS = {"celsius": " °C", "fahrenheit": " °F", "kelvin": " K", "degree": "°"}


def slot_text(slot: Slot) -> str:
    """The slot's value as a French phrase; its raw words when the value has no known kind."""
    value = slot.value
    writer = _WRITERS.get(value.get("kind", ""))
    try:
        return writer(value) if writer else slot.raw_value
    except (KeyError, ValueError, TypeError):  # a value of a shape this module does not know
        return slot.raw_value


def number(value: float) -> str:
    """3.0 -> "3", 12.5 -> "12,5" (French decimal comma)."""
    return f"{value:g}".replace(".", ",") if value != int(value) else str(int(value))


def _instant(time: str) -> datetime:
    return datetime.strptime(time, "%Y-%m-%d %H:%M:%S %z")


def _day(moment: datetime) -> str:
    first = "1er" if moment.day == 1 else str(moment.day)
    return f"{WEEKDAYS[moment.weekday()]} {first} {MONTHS[moment.month - 1]} {moment.year}"


def _clock(moment: datetime) -> str:
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def _instant_time(value: dict[str, Any]) -> str:
    moment, grain = _instant(value["value"]), value.get("grain", "Day")
    if grain == "Year":
        return str(moment.year)
    if grain in ("Month", "Quarter"):
        return f"{MONTHS[moment.month - 1]} {moment.year}"
    if grain == "Week":
        return f"la semaine du {_day(moment)}"
    if grain == "Day":
        return f"le {_day(moment)}"
    return f"le {_day(moment)} à {_clock(moment)}"


def _time_interval(value: dict[str, Any]) -> str:
    start = _instant(value["from"]) if value.get("from") else None
    end = _instant(value["to"]) if value.get("to") else None
    whole_days = all(m is None or (m.hour, m.minute) == (0, 0) for m in (start, end))
    if whole_days and end is not None:
        end -= timedelta(days=1)  # the parser's end is exclusive: "du 3 au 10 août" ends on the 11th
    if start is None or end is None:
        moment = start or end
        text = _day(moment) if whole_days else f"{_day(moment)} à {_clock(moment)}"
        return f"à partir du {text}" if start else f"jusqu'au {text}"
    if whole_days:
        return f"du {_day(start)} au {_day(end)}"
    if start.date() == end.date():
        return f"le {_day(start)} de {_clock(start)} à {_clock(end)}"
    return f"du {_day(start)} à {_clock(start)} au {_day(end)} à {_clock(end)}"


def _duration(value: dict[str, Any]) -> str:
    parts = [
        f"{count} {one if count == 1 else many}"
        for key, one, many in DURATION_UNITS
        if (count := int(value.get(key) or 0))
    ]
    if not parts:
        return "0 minute"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"


def _money(value: dict[str, Any]) -> str:
    unit = value.get("unit") or ""
    text = f"{number(value['value'])} {CURRENCIES.get(unit, unit)}".strip()
    return f"environ {text}" if value.get("precision") == "Approximate" else text


def _ordinal(value: dict[str, Any]) -> str:
    return "1er" if value["value"] == 1 else f"{value['value']}e"


def _temperature(value: dict[str, Any]) -> str:
    return f"{number(value['value'])}{TEMPERATURE_UNITS.get(value.get('unit') or 'degree', '°')}"


_WRITERS = {
    "Custom": lambda value: str(value["value"]),
    "InstantTime": _instant_time,
    "TimeInterval": _time_interval,
    "Duration": _duration,
    "AmountOfMoney": _money,
    "Number": lambda value: number(value["value"]),
    "Ordinal": _ordinal,
    "Percentage": lambda value: f"{number(value['value'])} %",
    "Temperature": _temperature,
}
