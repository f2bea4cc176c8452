"""The action server: two actions of the demo bot, declared with the SDK's ActionRouter.

- ``reserver`` (intent ``reservation``, once the date and the colour are known): books a scooter
  when one is free, answering with a card (the booking's number, an image, buttons); otherwise
  offers the colours still free that day, or asks for another day.
- ``suivi_reservation``: tells where a booking stands, from its number (R-2041) in the message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from causette_sdk import (
    ActionRequest,
    ActionResponse,
    Button,
    ButtonsMessage,
    CardMessage,
    Image,
    SlotInfo,
    TextMessage,
)
from causette_sdk.server import ActionRouter
from examples.scooter_actions.shop import Booking, Shop

BOOKING_NUMBER = re.compile(r"\bR\s*-?\s*(\d{3,6})\b", re.IGNORECASE)
COLOURS = ("bleu", "vert", "rose")
SHOP_MAP = "https://www.openstreetmap.org/search?query=12%20rue%20des%20Lilas%20Paris"


def create_app(secret: str, ledger: Path | None = None) -> FastAPI:
    """The action server app; bookings kept in ``ledger`` (a JSON file) or in memory."""
    shop = Shop(ledger)
    actions = ActionRouter(secret=secret)

    @actions.action("reserver")
    async def reserver(request: ActionRequest) -> ActionResponse:
        colour, day = _custom(request.slots.get("couleur")), _day(request.slots.get("date"))
        if colour is None or day is None:
            return ActionResponse(ask_slot="date" if day is None else "couleur")
        day_text = request.slots["date"].text
        booking = shop.book(colour, day, day_text)
        if booking is not None:
            return ActionResponse(messages=[_booking_card(booking)], set_slots={"numero": booking.number})
        others = [c for c, free in shop.free(day).items() if free > 0]
        if not others:
            text = f"Désolé, tous nos scooters sont réservés {day_text}. Quelle autre date vous irait ?"
            return ActionResponse(messages=[TextMessage(text=text)], ask_slot="date", clear_slots=["date"])
        offer = ButtonsMessage(
            text=f"Désolé, plus de scooter {colour} libre {day_text}. Il nous reste :",
            buttons=[Button(label=c.capitalize(), payload=c.capitalize()) for c in others],
        )
        return ActionResponse(messages=[offer], ask_slot="couleur")

    @actions.action("suivi_reservation")
    async def suivi_reservation(request: ActionRequest) -> ActionResponse:
        number = _booking_number(request)
        if number is None:
            return ActionResponse(ask_slot="numero")
        booking = shop.find(number)
        if booking is None:
            text = f"Je ne trouve pas de réservation {number}. Vérifiez le numéro : il commence par R, comme R-2041."
            return ActionResponse(messages=[TextMessage(text=text)], clear_slots=["numero"])
        text = (
            f"Votre réservation {booking.number} est {booking.status} : "
            f"un scooter {booking.colour}, {booking.day_text}."
        )
        return ActionResponse(messages=[TextMessage(text=text)], set_slots={"numero": booking.number})

    app = FastAPI(title="Causette Scooters: actions")
    app.include_router(actions.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _booking_card(booking: Booking) -> CardMessage:
    return CardMessage(
        title=f"Réservation {booking.number}",
        text=f"Un scooter {booking.colour}, {booking.day_text}. À retirer au 12 rue des Lilas dès 9h ; "
        "le paiement se fait sur place.",
        # A path on the bot's own server: the demo page's drawing of a scooter of that colour.
        image=Image(url=f"/demo/images/scooter-{booking.colour}.svg", alt=f"Un scooter {booking.colour}"),
        buttons=[
            Button(label="Suivre ma réservation", payload=f"où en est ma réservation {booking.number} ?"),
            Button(label="Plan d'accès", url=SHOP_MAP),
        ],
    )


def _custom(slot: SlotInfo | None) -> str | None:
    value: Any = slot.value.get("value") if slot else None
    return value if isinstance(value, str) and value in COLOURS else None


def _day(slot: SlotInfo | None) -> str | None:
    """The day (YYYY-MM-DD) of a snips/datetime slot: an instant, or the start of an interval."""
    if slot is None:
        return None
    value = slot.value.get("value") or slot.value.get("from")
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _booking_number(request: ActionRequest) -> str | None:
    """The booking number in the ``numero`` slot, or else written in the visitor's message."""
    for text in (request.slots["numero"].raw_value if "numero" in request.slots else "", request.text):
        if match := BOOKING_NUMBER.search(text):
            return f"R-{match[1]}"
    return None
