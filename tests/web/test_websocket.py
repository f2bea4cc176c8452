"""The chat WebSocket against a real server, through the ``websockets`` client library."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import ServerProcess
from tests.web.conftest import FALLBACK, LATER_ANSWER, LOCATION_QUESTION, SHOP_ORIGIN, TODAY_ANSWER
from tests.web.support import greeting, open_socket, receive, say, send

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def resume_the_rental_over_the_websocket(server: ServerProcess, session_id: str, token: str) -> None:
    """Reconnect to a session whose rental question was asked: it is replayed, its context holds."""
    async with open_socket(server, session_id) as ws:
        await send(ws, {"type": "resume", "token": token})
        _, history = await greeting(ws)
        assert [m["text"] for m in history["messages"]] == ["je voudrais louer un scooter", LOCATION_QUESTION]
        answer = await say(ws, "pour aujourd'hui")
    assert answer["intent"] == "aujourd'hui"


async def test_seed_scooter_conversation_keeps_its_context(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        welcome, history = await greeting(ws)
        assert SESSION_ID.match(welcome["session_id"])
        assert welcome["max_text_chars"] == 1000
        assert history["messages"] == []

        asked = await say(ws, "je voudrais louer un scooter", "m1")
        assert asked == {
            "type": "bot",
            "intent": "location",
            "reply_to": "m1",
            "messages": [{"type": "text", "text": LOCATION_QUESTION, "quick_replies": ["Aujourd'hui", "Plus tard"]}],
        }
        answered = await say(ws, "pour aujourd'hui", "m2")
        assert answered["intent"] == "aujourd'hui"
        assert answered["reply_to"] == "m2"
        assert answered["messages"] == [{"type": "text", "text": TODAY_ANSWER, "quick_replies": []}]


async def test_same_words_without_the_context_fall_back(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        await greeting(ws)
        answer = await say(ws, "pour aujourd'hui")
    assert answer["intent"] is None
    assert answer["messages"][0]["text"] == FALLBACK


async def test_reconnecting_with_the_session_id_replays_the_history(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        welcome, _ = await greeting(ws)
        await say(ws, "je voudrais louer un scooter")
    session_id = welcome["session_id"]

    async with open_socket(server, session_id) as ws:
        await send(ws, {"type": "resume", "token": welcome["token"]})
        welcome, history = await greeting(ws)
        assert welcome["session_id"] == session_id
        assert [(m["role"], m["text"]) for m in history["messages"]] == [
            ("user", "je voudrais louer un scooter"),
            ("bot", LOCATION_QUESTION),
        ]
        assert history["messages"][1]["quick_replies"] == ["Aujourd'hui", "Plus tard"]
        answer = await say(ws, "plus tard")  # the context set before the reconnect is still active
    assert answer["messages"][0]["text"] == LATER_ANSWER


async def test_connections_without_a_session_id_get_distinct_new_ones(server: ServerProcess) -> None:
    async with open_socket(server) as first, open_socket(server) as second:
        (one, _), (two, _) = await greeting(first), await greeting(second)
    assert one["session_id"] != two["session_id"]


BAD_FRAMES: list[tuple[str | bytes, str]] = [
    ("{not json", "invalid_json"),
    ('["message"]', "invalid_frame"),
    ('{"text": "bonjour"}', "invalid_frame"),
    ('{"type": "message"}', "invalid_frame"),
    ('{"type": "message", "text": 42}', "invalid_frame"),
    ('{"type": "message", "text": "bonjour", "extra": 1}', "invalid_frame"),
    ('{"type": "subscribe", "channel": "all"}', "unknown_type"),
    ('{"type": "message", "text": "   ", "id": "e1"}', "empty_text"),
    ('{"type": "message", "text": "' + "a" * 1001 + '", "id": "e2"}', "text_too_long"),
    ('{"type": "message", "text": "' + "a" * 17_000 + '"}', "frame_too_large"),
    (b"\x00\x01binary", "binary_frame"),
]


async def test_bad_frames_get_error_frames_and_the_socket_stays_usable(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        await greeting(ws)
        for frame, code in BAD_FRAMES:
            await ws.send(frame)
            error = await receive(ws)
            assert (error["type"], error["code"]) == ("error", code), frame
            assert error["message"]
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        answer = await say(ws, "je voudrais louer un scooter")
    assert answer["intent"] == "location"


async def test_refused_messages_name_the_message_they_refuse(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        await greeting(ws)
        await send(ws, {"type": "message", "text": "", "id": "empty-1"})
        error = await receive(ws)
    assert (error["code"], error["reply_to"]) == ("empty_text", "empty-1")


@pytest.mark.parametrize("session_id", ["a" * 65, "point.virgule;", "", "fin-de-ligne%0A"])
async def test_an_invalid_session_id_is_refused_with_a_reason(server: ServerProcess, session_id: str) -> None:
    async with open_socket(server, session_id) as ws:
        error = await receive(ws)
        assert (error["type"], error["code"]) == ("error", "invalid_session_id")
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example", "null"])
async def test_a_disallowed_origin_is_refused(server: ServerProcess, origin: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(server, origin=origin):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("origin", [SHOP_ORIGIN, "http://localhost:3000", "same host"])
async def test_allowed_origins_connect(server: ServerProcess, origin: str) -> None:
    if origin == "same host":
        origin = server.url  # the server's own pages, such as its demo page
    async with open_socket(server, origin=origin) as ws:
        welcome, _ = await greeting(ws)
    assert welcome["type"] == "welcome"


async def test_a_conversation_started_on_rest_goes_on_over_the_websocket(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.url) as rest:  # a visitor: no API key
        turn = (await rest.post("/api/v1/conversations", json={"text": "je voudrais louer un scooter"})).json()
        assert turn["contexts"] == ["jourlocation"]
    await resume_the_rental_over_the_websocket(server, turn["session_id"], turn["conversation_token"])


async def test_a_conversation_started_on_the_websocket_goes_on_over_rest(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        welcome, _ = await greeting(ws)
        await say(ws, "je voudrais louer un scooter")
    session_id, token = welcome["session_id"], {"X-Conversation-Token": welcome["token"]}
    async with httpx.AsyncClient(headers=token, base_url=server.url) as rest:
        turn = (await rest.post(f"/api/v1/conversations/{session_id}/messages", json={"text": "plus tard"})).json()
        assert turn["intent"]["name"] == "plus_tard"
        history = (await rest.get(f"/api/v1/conversations/{session_id}")).json()["history"]
    assert [m["role"] for m in history] == ["user", "bot", "user", "bot"]


async def test_a_client_leaving_mid_turn_leaves_the_turn_stored(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        welcome, _ = await greeting(ws)
        await send(ws, {"type": "message", "text": "je voudrais louer un scooter"})
    # Gone without waiting for the answer. The turn completes on the server; wait until it shows.
    session_id, token = welcome["session_id"], welcome["token"]
    async with httpx.AsyncClient(headers={"X-Conversation-Token": token}, base_url=server.url) as rest:
        for _ in range(100):
            response = await rest.get(f"/api/v1/conversations/{session_id}")
            if response.status_code == 200 and len(response.json()["history"]) == 2:
                break
            await asyncio.sleep(0.05)
    await resume_the_rental_over_the_websocket(server, session_id, token)


async def test_messages_sent_in_a_burst_are_answered_in_order(server: ServerProcess) -> None:
    async with open_socket(server) as ws:
        await greeting(ws)
        for number, text in enumerate(["je voudrais louer un scooter", "pour aujourd'hui", "bonjour"]):
            await send(ws, {"type": "message", "text": text, "id": f"b{number}"})
        answers: list[tuple[str, str]] = []
        while len(answers) < 3:
            frame = await receive(ws)
            if frame["type"] == "bot":
                answers.append((frame["reply_to"], frame["intent"]))
    assert answers == [("b0", "location"), ("b1", "aujourd'hui"), ("b2", "salutation")]
