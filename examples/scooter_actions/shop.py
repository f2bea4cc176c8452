"""The shop's stock and bookings: so many scooters of each colour, booked by the day.

Kept in memory, or in a JSON file when one is given, so that bookings survive a restart.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pydantic import BaseModel, Field

FLEET = {"bleu": 3, "vert": 2, "rose": 1}  # scooters of each colour, every day
FIRST_NUMBER = 2041


class Booking(BaseModel):
    """A booked scooter: its number (R-2041), colour, day (YYYY-MM-DD) and the day in French."""

    number: str
    colour: str
    day: str
    day_text: str
    status: str = "confirmée"


class Ledger(BaseModel):
    """Everything the shop remembers."""

    bookings: list[Booking] = Field(default_factory=list)
    next_number: int = FIRST_NUMBER


class Shop:
    """Stock by date and colour, and the bookings; safe to share between requests."""

    def __init__(self, path: Path | None = None, fleet: dict[str, int] | None = None) -> None:
        self.path = path
        self.fleet = fleet or dict(FLEET)
        self._lock = threading.Lock()
        self.ledger = (
            Ledger.model_validate_json(path.read_text(encoding="utf-8")) if path and path.exists() else Ledger()
        )

    def free(self, day: str) -> dict[str, int]:
        """Colour -> scooters still free on ``day``."""
        booked = [b.colour for b in self.ledger.bookings if b.day == day]
        return {colour: count - booked.count(colour) for colour, count in self.fleet.items()}

    def book(self, colour: str, day: str, day_text: str) -> Booking | None:
        """Book a scooter of ``colour`` on ``day``; None when none is free."""
        with self._lock:
            if self.free(day).get(colour, 0) <= 0:
                return None
            booking = Booking(number=f"R-{self.ledger.next_number}", colour=colour, day=day, day_text=day_text)
            self.ledger.bookings.append(booking)
            self.ledger.next_number += 1
            self._save()
            return booking

    def find(self, number: str) -> Booking | None:
        """The booking with this number (R-2041), if any."""
        return next((b for b in self.ledger.bookings if b.number == number.upper()), None)

    def _save(self) -> None:
        if self.path is not None:
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.ledger.model_dump(), ensure_ascii=False, indent=2), encoding="utf-8")
            temporary.replace(self.path)
