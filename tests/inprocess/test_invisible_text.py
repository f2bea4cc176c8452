"""A message with no visible character (zero-width spaces, joiners, a byte-order mark) is no turn:
refused like an empty one, over REST (422) and over the WebSocket (an error frame)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.inprocess.test_websocket_frames import greeting

# Zero-width spaces and joiners, a byte-order mark and a word joiner, a soft hyphen and direction
# marks, a combining accent alone, control characters.
INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\ufeff \u2060", "\u00ad\u200e\u200f", "\u0301", "\x00\x01\x02"]
LONE_SURROGATE = "\ud83d"  # half of an emoji: REST reads it from JSON, the WebSocket refuses its frame as invalid JSON


@pytest.mark.parametrize("text", [*INVISIBLE, LONE_SURROGATE])
def test_rest_refuses_a_text_with_no_visible_character_and_records_no_turn(client: TestClient, text: str) -> None:
    reply = client.post(
        "/api/v1/conversations/invisible-rest/messages",
        content=json.dumps({"text": text}).encode(),  # escaped: a lone surrogate is no UTF-8
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 422, reply.text
    assert "must not be empty" in reply.text
    assert client.get("/api/v1/conversations/invisible-rest").status_code == 404


@pytest.mark.parametrize("text", INVISIBLE)
def test_the_websocket_answers_an_error_frame_and_no_turn(client: TestClient, text: str) -> None:
    with client.websocket_connect("/api/v1/ws?session_id=invisible-ws") as ws:
        greeting(ws)
        ws.send_text(json.dumps({"type": "message", "text": text, "id": "zw-1"}))
        error = ws.receive_json()
        assert (error["type"], error["code"], error["reply_to"]) == ("error", "empty_text", "zw-1")
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}  # nothing else was sent: no typing, no bot frame
    assert client.get("/api/v1/conversations/invisible-ws").status_code == 404


def test_a_text_with_one_visible_character_among_invisible_ones_is_a_turn(client: TestClient) -> None:
    reply = client.post("/api/v1/conversations/invisible-ok/messages", json={"text": "\u200bbonjour\u200b"})
    assert reply.status_code == 200, reply.text
