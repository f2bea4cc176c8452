"""The chat WebSocket, in process: welcome, history replay, bot and typing frames, error frames."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from nlu import load_bot
from tests.support import DEMO_BOT
from tests.web.test_websocket import BAD_FRAMES  # one table for both tiers

DEMO = load_bot(DEMO_BOT)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RENTAL = "je voudrais louer un scooter"
POLICY_VIOLATION = 1008


def responses_of(tag: str) -> list[str]:
    return DEMO.dataset.intent(tag).response_texts


def greeting(ws: WebSocketTestSession) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``welcome`` and ``history`` frames every connection starts with."""
    welcome, history = ws.receive_json(), ws.receive_json()
    assert welcome["type"] == "welcome" and history["type"] == "history"
    return welcome, history


def say(ws: WebSocketTestSession, text: str, frame_id: str = "m") -> dict[str, Any]:
    """Send a message and return the bot's answer, checking the typing frames around it."""
    ws.send_json({"type": "message", "text": text, "id": frame_id})
    assert ws.receive_json() == {"type": "typing", "active": True}
    answer: dict[str, Any] = ws.receive_json()
    assert ws.receive_json() == {"type": "typing", "active": False}
    return answer


def test_a_new_connection_is_welcomed_with_a_new_session_and_an_empty_history(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as first, client.websocket_connect("/api/v1/ws") as second:
        (welcome, history), (other, _) = greeting(first), greeting(second)
    assert SESSION_ID.match(welcome["session_id"])
    assert welcome["max_text_chars"] == 1000
    assert history["messages"] == []
    assert other["session_id"] != welcome["session_id"]


def test_the_seed_conversation_keeps_its_context(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        greeting(ws)
        asked = say(ws, RENTAL, "m1")
        assert (asked["type"], asked["intent"], asked["reply_to"]) == ("bot", "location", "m1")
        [message] = asked["messages"]
        assert message["text"] in responses_of("location")
        assert message["quick_replies"] == ["Aujourd'hui", "Plus tard"]
        answered = say(ws, "pour aujourd'hui", "m2")
    assert (answered["intent"], answered["reply_to"]) == ("aujourd'hui", "m2")
    assert answered["messages"][0]["text"] in responses_of("aujourd'hui")


def test_the_same_words_without_the_context_fall_back(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        greeting(ws)
        answer = say(ws, "pour aujourd'hui")
    assert answer["intent"] is None
    assert answer["messages"][0]["text"] in DEMO.config.fallback_responses


def test_reconnecting_with_the_session_id_replays_the_history_and_keeps_the_context(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        opened, _ = greeting(ws)
        asked = say(ws, RENTAL)
    with client.websocket_connect(f"/api/v1/ws?session_id={opened['session_id']}") as ws:
        ws.send_json({"type": "resume", "token": opened["token"]})
        welcome, history = greeting(ws)
        answer = say(ws, "plus tard")
    assert welcome["session_id"] == opened["session_id"]
    assert welcome["token"] is None  # kept by the client since the conversation was opened
    assert [(m["role"], m["text"]) for m in history["messages"]] == [
        ("user", RENTAL),
        ("bot", asked["messages"][0]["text"]),
    ]
    assert history["messages"][1]["quick_replies"] == ["Aujourd'hui", "Plus tard"]
    assert answer["intent"] == "plus_tard"


def test_a_conversation_goes_from_rest_to_the_websocket_and_back(client: TestClient) -> None:
    reply = client.post("/api/v1/conversations", json={"text": RENTAL}, headers={"Authorization": ""})
    turn = reply.json()
    with client.websocket_connect(f"/api/v1/ws?session_id={turn['session_id']}") as ws:
        ws.send_json({"type": "resume", "token": turn["conversation_token"]})
        _, history = greeting(ws)
        assert [m["text"] for m in history["messages"]] == [RENTAL, turn["responses"][0]]
        assert say(ws, "pour aujourd'hui")["intent"] == "aujourd'hui"
    token = {"Authorization": "", "X-Conversation-Token": turn["conversation_token"]}
    conversation = client.get(f"/api/v1/conversations/{turn['session_id']}", headers=token).json()
    assert [m["role"] for m in conversation["history"]] == ["user", "bot", "user", "bot"]


def test_bad_frames_get_error_frames_and_the_socket_stays_usable(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        greeting(ws)
        for frame, code in BAD_FRAMES:
            if isinstance(frame, bytes):
                ws.send_bytes(frame)
            else:
                ws.send_text(str(frame))
            error = ws.receive_json()
            assert (error["type"], error["code"]) == ("error", code), frame
            assert error["message"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        assert say(ws, RENTAL)["intent"] == "location"


def test_refused_messages_name_the_message_they_refuse(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        greeting(ws)
        ws.send_json({"type": "message", "text": "", "id": "empty-1"})
        error = ws.receive_json()
    assert (error["code"], error["reply_to"]) == ("empty_text", "empty-1")


@pytest.mark.parametrize("session_id", ["a" * 65, "point.virgule;", "", "fin-de-ligne%0A"])
def test_an_invalid_session_id_is_refused_with_a_reason(client: TestClient, session_id: str) -> None:
    with client.websocket_connect(f"/api/v1/ws?session_id={session_id}") as ws:
        error = ws.receive_json()
        assert (error["type"], error["code"]) == ("error", "invalid_session_id")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == POLICY_VIOLATION


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example", "null"])
def test_a_disallowed_origin_is_refused_before_the_handshake(client: TestClient, origin: str) -> None:
    session = client.websocket_connect("/api/v1/ws", headers={"origin": origin})
    with pytest.raises(WebSocketDisconnect) as refused, session:
        pass
    assert refused.value.code == POLICY_VIOLATION


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:8080", "http://testserver"])
def test_local_pages_and_the_servers_own_pages_connect(client: TestClient, origin: str) -> None:
    with client.websocket_connect("/api/v1/ws", headers={"origin": origin}) as ws:
        welcome, _ = greeting(ws)
    assert welcome["type"] == "welcome"


def test_messages_sent_in_a_burst_are_answered_in_order(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        greeting(ws)
        for number, text in enumerate([RENTAL, "pour aujourd'hui", "bonjour"]):
            ws.send_json({"type": "message", "text": text, "id": f"b{number}"})
        answers: list[tuple[str, str]] = []
        while len(answers) < 3:
            frame = ws.receive_json()
            if frame["type"] == "bot":
                answers.append((frame["reply_to"], frame["intent"]))
    assert answers == [("b0", "location"), ("b1", "aujourd'hui"), ("b2", "salutation")]
