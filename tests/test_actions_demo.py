"""The demo bot books scooters and tells where a booking stands through its real action server.

Two real processes: ``causette serve intents`` and ``python -m examples.scooter_actions``, sharing
a secret; over REST and over the chat WebSocket. The SDK in that action server refuses forged,
replayed and expired calls.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from causette_sdk import SIGNATURE_HEADER, sign
from tests.support import API_KEY_HEADERS, DEMO_BOT, ActionServerProcess, ServerProcess, say
from tests.web.support import greeting, open_socket
from tests.web.support import say as say_over_websocket

pytestmark = pytest.mark.e2e

SECRET = "demo-actions-secret"
ADMIN = {"Authorization": "Bearer admin-key-for-the-demo-shop-tests"}
NUMBER = re.compile(r"R-\d{4}")


@pytest.fixture(scope="module")
def scooter_actions() -> Iterator[ActionServerProcess]:
    server = ActionServerProcess(
        "examples.scooter_actions", env={"CAUSETTE_ACTIONS_SECRET": SECRET}, args=("--log-level", "warning")
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shop(demo_model_dir: Path, scooter_actions: ActionServerProcess) -> Iterator[ServerProcess]:
    """The demo bot, its actions at the example action server."""
    env = {
        "CAUSETTE_ACTIONS_SECRET": SECRET,
        "CAUSETTE_ACTIONS_URL": scooter_actions.actions_url,
        "CAUSETTE_ADMIN_KEY": ADMIN["Authorization"].removeprefix("Bearer "),
    }
    server = ServerProcess(DEMO_BOT, demo_model_dir, env=env)
    yield server
    server.stop()


@pytest.fixture
def client(shop: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=30, headers=API_KEY_HEADERS) as http:
        yield http


def session() -> str:
    return f"demo-{uuid.uuid4().hex[:10]}"


def booked(turn: dict[str, Any]) -> str:
    """The booking number of a confirmation card."""
    (card,) = turn["messages"]
    assert card["type"] == "card", turn
    number = NUMBER.search(card["title"])
    assert number is not None, card
    return number[0]


def test_a_booking_over_rest_is_confirmed_with_a_card_then_found_by_its_number(client: httpx.Client) -> None:
    visitor = session()
    turn = say(client, visitor, "je voudrais réserver un scooter vert pour le 3 décembre")
    assert turn["intent"]["name"] == "reservation"
    assert turn["action"]["name"] == "reserver" and turn["action"]["outcome"] == "ok"
    assert turn["action"]["changes"]["slots_set"] == ["numero"]
    number = booked(turn)
    card = turn["messages"][0]
    assert "vert" in card["text"] and "3 décembre" in card["text"]
    assert card["image"] == {"url": "/demo/images/scooter-vert.svg", "alt": "Un scooter vert"}
    assert client.get(card["image"]["url"]).headers["content-type"].startswith("image/svg+xml")
    follow = card["buttons"][0]
    assert (follow["label"], follow["payload"]) == ("Suivre ma réservation", f"où en est ma réservation {number} ?")
    assert turn["slots"]["numero"]["value"] == {"kind": "Custom", "value": number}

    status = say(client, session(), follow["payload"])  # the button's payload, from another conversation
    assert status["intent"]["name"] == "suivi_reservation"
    assert status["responses"] == [
        f"Votre réservation {number} est confirmée : un scooter vert, {turn['slots']['date']['text']}."
    ]


def test_a_colour_booked_out_offers_the_others_as_buttons(client: httpx.Client) -> None:
    visitor = session()
    first = say(client, visitor, "je voudrais réserver un scooter rose pour le 10 décembre")  # the only pink one
    booked(first)
    full = say(client, session(), "je voudrais réserver un scooter rose pour le 10 décembre")
    (offer,) = full["messages"]
    assert offer["type"] == "buttons" and offer["text"].startswith("Désolé, plus de scooter rose libre")
    assert [button["payload"] for button in offer["buttons"]] == ["Bleu", "Vert"]
    assert full["action"]["changes"]["asked"] == "couleur"


def test_the_booking_number_is_asked_when_missing(client: httpx.Client) -> None:
    visitor = session()
    number = booked(say(client, session(), "je voudrais réserver un scooter bleu pour le 12 décembre"))
    asked = say(client, visitor, "je voudrais suivre ma réservation")
    assert asked["responses"] == ["Quel est votre numéro de réservation ? Il commence par R, par exemple R-2041."]
    answered = say(client, visitor, number)
    assert answered["intent"]["name"] == "suivi_reservation"
    assert answered["responses"][0].startswith(f"Votre réservation {number} est confirmée : un scooter bleu")
    for _ in range(5):  # the same question again and again: each call is its own request, none a replay
        again = say(client, visitor, f"où en est ma réservation {number} ?")
        assert again["action"]["outcome"] == "ok", again
    unknown = say(client, visitor, "où en est ma réservation R-9999 ?")
    assert unknown["responses"][0].startswith("Je ne trouve pas de réservation R-9999.")


async def test_a_booking_over_the_websocket_then_its_status(shop: ServerProcess) -> None:
    async with open_socket(shop) as ws:
        await greeting(ws)
        asked = await say_over_websocket(ws, "je voudrais réserver un scooter pour le 15 décembre", "m1")
        assert asked["messages"][0]["text"] == "Quelle couleur préférez-vous : bleu, vert ou rose ?"
        answer = await say_over_websocket(ws, "Bleu", "m2")
        assert answer["intent"] == "reservation" and answer["reply_to"] == "m2"
        (card,) = answer["messages"]
        assert card["type"] == "card" and card["image"]["alt"] == "Un scooter bleu"
        number = NUMBER.search(card["title"])
        assert number is not None
        status = await say_over_websocket(ws, card["buttons"][0]["payload"], "m3")
    assert status["intent"] == "suivi_reservation"
    assert status["messages"][0]["text"].startswith(f"Votre réservation {number[0]} est confirmée")


def signed_post(server: ActionServerProcess, body: bytes, signature: str) -> httpx.Response:
    headers = {"content-type": "application/json", SIGNATURE_HEADER: signature}
    return httpx.post(server.actions_url, content=body, headers=headers)


def test_the_action_server_refuses_forged_replayed_and_expired_calls(scooter_actions: ActionServerProcess) -> None:
    request = {
        "version": 1,
        "bot": "Causette Scooters",
        "action": "suivi_reservation",
        "conversation_id": "attaquant",
        "channel": "rest",
        "text": "où en est ma réservation R-2041 ?",
        "intent": {"name": "suivi_reservation", "probability": 1.0},
    }
    body = json.dumps(request).encode()
    forged = signed_post(scooter_actions, body, sign("not the secret", body))
    assert (forged.status_code, forged.json()) == (401, {"detail": "signature refused: mismatch"})
    expired = signed_post(scooter_actions, body, sign(SECRET, body, int(time.time()) - 3600))
    assert (expired.status_code, expired.json()) == (401, {"detail": "signature refused: expired"})
    signature = sign(SECRET, body)
    assert signed_post(scooter_actions, body, signature).status_code == 200
    replayed = signed_post(scooter_actions, body, signature)
    assert (replayed.status_code, replayed.json()) == (401, {"detail": "signature refused: replayed"})


def test_the_conversation_log_records_each_action_call_with_its_outcome(client: httpx.Client) -> None:
    visitor = session()
    turn = say(client, visitor, "je voudrais réserver un scooter rose pour le 5 décembre")
    assert turn["action"]["name"] == "reserver"
    for _ in range(50):  # the log writes in batches, off the turn's path
        calls = client.get(f"/api/v1/conversations/{visitor}/export?owner_key=bench", headers=ADMIN).json()["log"][
            "action_calls"
        ]
        if calls:
            break
        time.sleep(0.1)
    assert [(call["name"], call["outcome"]) for call in calls] == [("reserver", turn["action"]["outcome"])]
