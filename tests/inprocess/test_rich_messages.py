"""Rich messages, in process: written in intent files (and refused with file:line when broken),
sent by REST and WebSocket turns, kept in the history, documented in OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causette_sdk.messages import MAX_BUTTONS, MAX_TEXT_CHARS
from nlu import ContentError, load_bot
from tests.support import say

SCOOTERS = "Quels scooters avez-vous ?"
MESSAGE_TYPES = {
    "text": "TextMessage",
    "buttons": "ButtonsMessage",
    "image": "ImageMessage",
    "card": "CardMessage",
    "carousel": "CarouselMessage",
}


def write_intent(folder: Path, response: Any, **extra: Any) -> Path:
    """A bot of one intent answering ``response``, written one key per line as an author would."""
    entry = {"tag": "x", "patterns": ["bonjour"], "responses": [response], **extra}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.json").write_text(json.dumps({"intents": [entry]}, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as refused:
        load_bot(folder)
    return [str(problem) for problem in refused.value.problems]


def button(label: str = "Plan", **target: str) -> dict[str, str]:
    return {"label": label, **(target or {"payload": label})}


# Each broken response, and the French error with the line of the broken value.
BROKEN: dict[str, tuple[Any, str]] = {
    "unknown type": (
        {"type": "video", "url": "https://example.org/v.mp4"},
        "a.json:9: intents.0.responses.0: type de message inconnu « video » : utilisez 'text', 'buttons', "
        "'image', 'card', 'carousel'",
    ),
    "no type": ({"text": "Bonjour"}, "a.json:9: intents.0.responses.0: le message n'a pas de « type »"),
    "not a text nor an object": (42, "a.json:8: intents.0.responses.0: une réponse est un texte entre guillemets"),
    "javascript link": (
        {"type": "buttons", "text": "Voir", "buttons": [button(url="javascript:alert(1)")]},
        "a.json:15: intents.0.responses.0.buttons.0.url: le lien « javascript:alert(1) » n'est pas "
        "accepté : il doit commencer par http:, https:, mailto:, tel: ou « / »",
    ),
    "javascript link in capitals, in a card": (
        {"type": "card", "title": "T", "buttons": [button(url="JavaScript:alert(1)")]},
        "a.json:15: intents.0.responses.0.buttons.0.url: le lien « JavaScript:alert(1) » n'est pas accepté",
    ),
    "link to another site without a scheme": (
        {"type": "buttons", "text": "Voir", "buttons": [button(url="//evil.example/x")]},
        "a.json:15: intents.0.responses.0.buttons.0.url: le lien « //evil.example/x » n'est pas accepté",
    ),
    "link with a hidden tab": (
        {"type": "buttons", "text": "Voir", "buttons": [button(url="java\tscript:alert(1)")]},
        "a.json:15: intents.0.responses.0.buttons.0.url: un lien ne doit contenir ni espace",
    ),
    "data image": (
        {"type": "image", "url": "data:image/svg+xml,%3Csvg%20onload=alert(1)%3E", "alt": "x"},
        "a.json:11: intents.0.responses.0.url: le lien « data:image/svg+xml,%3Csvg%20onload=alert(1)%3E » "
        "n'est pas accepté : il doit commencer par http:, https: ou « / »",
    ),
    "image without alt text": (
        {"type": "image", "url": "/demo/images/scooter-rose.svg"},
        "a.json:9: intents.0.responses.0.alt: champ obligatoire manquant",
    ),
    "card image with a blank alt text": (
        {"type": "card", "title": "T", "image": {"url": "/i.svg", "alt": "  "}},
        "a.json:14: intents.0.responses.0.image.alt: ne doit pas être un texte vide (ou sans caractère visible)",
    ),
    "too many buttons": (
        {"type": "buttons", "text": "Choisissez", "buttons": [button(str(n)) for n in range(MAX_BUTTONS + 1)]},
        f"a.json:12: intents.0.responses.0.buttons: doit contenir au plus {MAX_BUTTONS} élément(s)",
    ),
    "a button with a payload and a link": (
        {"type": "buttons", "text": "Voir", "buttons": [button(payload="plan", url="https://example.org")]},
        "a.json:13: intents.0.responses.0.buttons.0: un bouton a soit un « payload » (texte renvoyé), "
        "soit une « url » (lien), pas les deux ni aucun",
    ),
    "huge text": (
        {"type": "text", "text": "a" * (MAX_TEXT_CHARS + 1)},
        f"a.json:11: intents.0.responses.0.text: doit contenir au plus {MAX_TEXT_CHARS} caractère(s)",
    ),
    "empty carousel": (
        {"type": "carousel", "cards": []},
        "a.json:11: intents.0.responses.0.cards: doit contenir au moins 1 élément(s)",
    ),
    "unknown key in a card": (
        {"type": "card", "titre": "T"},
        "a.json:11: intents.0.responses.0: clé inconnue « titre » : vouliez-vous dire « title » ?",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_message_is_a_french_error_at_its_line(tmp_path: Path, case: str) -> None:
    response, expected = BROKEN[case]
    problems = problems_of(write_intent(tmp_path / "bot", response))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_intent_quick_replies_need_text_responses(tmp_path: Path) -> None:
    card = {"type": "card", "title": "Scooter rose"}
    problems = problems_of(write_intent(tmp_path / "bot", card, quick_replies=["Oui"]))
    assert problems == [
        "a.json:3: intents.0: les quick_replies de l'intention s'affichent sous un texte : toutes ses réponses "
        "doivent être des textes (un bouton, une carte ou un carrousel a ses propres boutons)"
    ]


def test_a_placeholder_in_a_message_must_name_a_slot(tmp_path: Path) -> None:
    card = {"type": "card", "title": "Scooter", "buttons": [button("Réserver pour {date}")]}
    problems = problems_of(write_intent(tmp_path / "bot", card))
    assert problems == [
        "a.json:3: {date} dans une réponse de l'intention « x » n'est pas l'un de ses slots (elle n'en a aucun)"
    ]


def test_markup_in_a_message_is_text_like_any_other(tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    bot = load_bot(write_intent(tmp_path / "bot", {"type": "card", "title": hostile, "text": hostile}))
    (card,) = bot.dataset.intent("x").responses
    assert card.model_dump(include={"type", "title", "text"}) == {"type": "card", "title": hostile, "text": hostile}


def test_a_rest_turn_returns_typed_messages_and_their_texts(client: TestClient) -> None:
    turn = say(client, "rich-rest", SCOOTERS)
    assert turn["intent"]["name"] == "scooter"
    [carousel] = turn["messages"]
    assert carousel["type"] == "carousel"
    assert [card["title"] for card in carousel["cards"]] == ["Scooter bleu", "Scooter vert", "Scooter rose"]
    assert all(card["image"]["alt"] and card["image"]["url"].startswith("/demo/images/") for card in carousel["cards"])
    assert turn["responses"] == ["\n".join(line for n, card in _numbered(carousel) for line in _card_lines(n, card))]
    image = client.get(carousel["cards"][0]["image"]["url"])
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg+xml")


def _numbered(carousel: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(carousel["cards"], 1))


def _card_lines(number: int, card: dict[str, Any]) -> list[str]:
    return [
        f"{number}. {card['title']}",
        card["text"],
        f"[image : {card['image']['alt']}]",
        " ".join(f"[{b['label']}]" for b in card["buttons"]),
    ]


def test_link_buttons_and_quick_replies_reach_rest_clients(client: TestClient) -> None:
    contact = say(client, "rich-links", "je voudrais parler à un conseiller")
    [buttons] = contact["messages"]
    assert buttons["type"] == "buttons"
    assert {b["url"].split(":")[0] for b in buttons["buttons"]} == {"tel", "mailto"}
    rental = say(client, "rich-links", "je voudrais louer un scooter")
    assert rental["messages"][0]["type"] == "text"
    assert rental["messages"][0]["quick_replies"] == rental["quick_replies"] == ["Aujourd'hui", "Plus tard"]


def test_the_history_keeps_each_message_for_a_replay(client: TestClient) -> None:
    turn = say(client, "rich-history", "bonjour")
    history = client.get("/api/v1/conversations/rich-history").json()["history"]
    user, bot = history
    assert (user["role"], user["message"]) == ("user", None)
    assert bot["message"] == turn["messages"][0] and bot["message"]["type"] == "buttons"
    assert bot["text"] == turn["responses"][0]


def test_websocket_bot_frames_carry_typed_messages(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json(), ws.receive_json()  # welcome, history
        ws.send_json({"type": "message", "text": SCOOTERS, "id": "m1"})
        ws.receive_json()  # typing
        frame = ws.receive_json()
        ws.receive_json()
        ws.send_json({"type": "message", "text": "je voudrais louer un scooter", "id": "m2"})
        ws.receive_json()
        text_frame = ws.receive_json()
    assert frame["type"] == "bot" and [m["type"] for m in frame["messages"]] == ["carousel"]
    # A text message keeps the shape bot frames had before typed messages, plus its type.
    [text] = text_frame["messages"]
    assert set(text) == {"type", "text", "quick_replies"} and text["type"] == "text"


def test_openapi_documents_every_message_type(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    items = components["TurnOut"]["properties"]["messages"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    assert items["discriminator"]["mapping"] == {
        tag: f"#/components/schemas/{name}" for tag, name in MESSAGE_TYPES.items()
    }
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in items["oneOf"]} == set(MESSAGE_TYPES.values())
    for name in (*MESSAGE_TYPES.values(), "Button", "Image", "Card"):
        assert components[name].get("description"), name
    assert set(components["Button"]["properties"]) == {"label", "payload", "url"}
    assert "alt" in components["Image"]["required"]
    assert "alt" in components["ImageMessage"]["required"]


def test_an_allowed_page_may_erase_its_conversation_and_another_may_not(client: TestClient) -> None:
    say(client, "erase-me", "bonjour")
    allowed, other = "http://localhost:8123", "https://evil.example"
    preflight = client.options(
        "/api/v1/conversations/erase-me",
        headers={"Origin": allowed, "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == allowed
    assert preflight.headers["access-control-allow-methods"] == "DELETE"
    refused = client.options("/api/v1/conversations/erase-me", headers={"Origin": other})
    assert "access-control-allow-origin" not in refused.headers
    erased = client.delete("/api/v1/conversations/erase-me", headers={"Origin": allowed})
    assert erased.status_code == 204 and erased.headers["access-control-allow-origin"] == allowed
    assert client.get("/api/v1/conversations/erase-me").status_code == 404


def test_texts_the_server_sends_on_its_own_are_checked_as_messages_when_the_bot_loads(tmp_path: Path) -> None:
    bot = write_intent(tmp_path / "bot", "Bonjour")
    (bot / "bot.toml").write_text('fallback_responses = ["  "]\n', encoding="utf-8")
    assert problems_of(bot) == [
        "bot.toml:1: fallback_responses.0: ne doit pas être un texte vide (ou sans caractère visible)"
    ]
    (bot / "bot.toml").unlink()
    slot = {"date": {"entity": "snips/datetime", "required": True, "prompt": "Quand ?", "quick_replies": ["x" * 81]}}
    problems = problems_of(write_intent(bot, "Bonjour", slots=slot))
    assert problems == ["a.json:17: intents.0.slots.date.quick_replies.0: doit contenir au plus 80 caractère(s)"]
