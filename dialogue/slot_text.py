"""Slot values written in French for responses: "C'est noté pour {date}." -> "... pour le
samedi 28 novembre 2026."

Resolved values are what the response shows, not the words the user typed: "pour samedi" was
typed, but "pour pour samedi" would read badly and "samedi" alone does not confirm which one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent, is_currency
from babel.units import format_unit

from nlu.parse_result import Slot

LOCALE = "fr_FR"
# The parser's duration fields and CLDR's units for them.
DURATION_UNITS = (
    ("years", "duration-year"),
    ("quarters", "duration-quarter"),
    ("months", "duration-month"),
    ("weeks", "duration-week"),
    ("days", "duration-day"),
    ("hours", "duration-hour"),
    ("minutes", "duration-minute"),
    ("seconds", "duration-second"),
)
TEMPERATURE_UNITS = {
    "celsius": "temperature-celsius",
    "fahrenheit": "temperature-fahrenheit",
    "kelvin": "temperature-kelvin",
    "degree": "temperature-generic",
}
# fr_FR's currency pattern without its cents: "322 €" reads better than "322,00 €" in a reply.
WHOLE_AMOUNT = "#,##0\u00a0¤"


def slot_text(slot: Slot) -> str:
    """The slot's value as a French phrase; its raw words when the value has no known kind."""
    value = slot.value
    writer = _WRITERS.get(value.get("kind", ""))
    try:
        return writer(value) if writer else slot.raw_value
    except (KeyError, ValueError, TypeError):  # a value of a shape this module does not know
        return slot.raw_value


def number(value: float) -> str:
    """3.0 -> "3", 12.5 -> "12,5", 1200 -> "1 200" (French decimal comma and digit groups)."""
    return format_decimal(value, locale=LOCALE)


def _instant(time: str) -> datetime:
    return datetime.strptime(time, "%Y-%m-%d %H:%M:%S %z")


def _day(moment: datetime) -> str:
    # "le 1er mai": CLDR writes the first of the month as a plain "1".
    return format_date(moment, "EEEE '1er' MMMM y" if moment.day == 1 else "EEEE d MMMM y", locale=LOCALE)


def _clock(moment: datetime) -> str:
    # "15 h 30", as French prose writes it, rather than CLDR's "15:30"; on the clock of the
    # value's own offset (Babel converts nothing when given no time zone).
    return format_time(moment, "H 'h' mm" if moment.minute else "H 'h'", locale=LOCALE)


def _instant_time(value: dict[str, Any]) -> str:
    moment, grain = _instant(value["value"]), value.get("grain", "Day")
    if grain == "Year":
        return format_date(moment, "y", locale=LOCALE)
    if grain in ("Month", "Quarter"):
        return format_date(moment, "MMMM y", locale=LOCALE)
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
        if moment is None:
            raise ValueError("an interval without bounds")
        text = _day(moment) if whole_days else f"{_day(moment)} à {_clock(moment)}"
        return f"à partir du {text}" if start else f"jusqu'au {text}"
    if whole_days:
        return f"du {_day(start)} au {_day(end)}"
    if start.date() == end.date():
        return f"le {_day(start)} de {_clock(start)} à {_clock(end)}"
    return f"du {_day(start)} à {_clock(start)} au {_day(end)} à {_clock(end)}"


def _duration(value: dict[str, Any]) -> str:
    parts = [
        format_unit(count, unit, length="long", locale=LOCALE)
        for key, unit in DURATION_UNITS
        if (count := int(value.get(key) or 0))
    ]
    return (
        format_list(parts, locale=LOCALE) if parts else format_unit(0, "duration-minute", length="long", locale=LOCALE)
    )


def _money(value: dict[str, Any]) -> str:
    amount, unit = value["value"], value.get("unit") or ""
    if is_currency(unit):
        whole = amount == int(amount)
        text = format_currency(amount, unit, WHOLE_AMOUNT if whole else None, locale=LOCALE, currency_digits=not whole)
    else:  # "cent", a bare "$" (dollars of no country), no unit at all
        text = f"{number(amount)} {'centimes' if unit == 'cent' else unit}".strip()
    return f"environ {text}" if value.get("precision") == "Approximate" else text


def _ordinal(value: dict[str, Any]) -> str:
    return "1er" if value["value"] == 1 else f"{value['value']}e"


def _temperature(value: dict[str, Any]) -> str:
    unit = TEMPERATURE_UNITS.get(value.get("unit") or "degree", "temperature-generic")
    return format_unit(value["value"], unit, length="short", locale=LOCALE)


def _percentage(value: dict[str, Any]) -> str:
    # Through Decimal: 33.3 / 100 as a float is 0.33299999999999996.
    return format_percent(Decimal(str(value["value"])) / 100, locale=LOCALE, decimal_quantization=False)


_WRITERS = {
    "Custom": lambda value: str(value["value"]),
    "InstantTime": _instant_time,
    "TimeInterval": _time_interval,
    "Duration": _duration,
    "AmountOfMoney": _money,
    "Number": lambda value: number(value["value"]),
    "Ordinal": _ordinal,
    "Percentage": _percentage,
    "Temperature": _temperature,
}
