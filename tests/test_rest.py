"""The REST channel on a served app (a real ``causette serve`` process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nlu import load_bot
from tests.support import API_KEY_HEADERS, DEMO_BOT, ServerProcess, say

DEMO = load_bot(DEMO_BOT).dataset


def responses_of(tag: str) -> list[str]:
    return DEMO.intent(tag).response_texts


@pytest.fixture
def rest(demo_server: ServerProcess) -> Iterator[httpx.Client]:
    """An HTTP client of the real demo server."""
    with httpx.Client(headers=API_KEY_HEADERS, base_url=demo_server.url) as client:
        yield client


def test_seed_conversation_over_rest(rest: httpx.Client) -> None:
    first = say(rest, "seed-1", "je voudrais louer un scooter")
    assert first["intent"]["name"] == "location"
    assert first["responses"][0] in responses_of("location")
    assert "jourlocation" in first["contexts"]
    second = say(rest, "seed-1", "pour aujourd'hui")
    assert second["intent"]["name"] == "aujourd'hui"
    assert second["responses"][0] in responses_of("aujourd'hui")


def test_fresh_session_does_not_get_the_day_rental_answer(rest: httpx.Client) -> None:
    turn = say(rest, "fresh-1", "pour aujourd'hui")
    assert turn["responses"][0] not in responses_of("aujourd'hui")
    assert (turn["intent"] or {}).get("name") != "aujourd'hui"


def test_two_sessions_do_not_share_contexts(rest: httpx.Client) -> None:
    say(rest, "alice-1", "je voudrais louer un scooter")
    bob = say(rest, "bob-1", "pour aujourd'hui")
    alice = say(rest, "alice-1", "pour aujourd'hui")
    assert (bob["intent"] or {}).get("name") != "aujourd'hui"
    assert alice["intent"]["name"] == "aujourd'hui"


def test_gibberish_falls_back(rest: httpx.Client) -> None:
    turn = say(rest, "gib-1", "xqzkwp vbnmtr")
    assert turn["intent"] is None
    assert turn["responses"][0] in load_bot(DEMO_BOT).config.fallback_responses


def test_history_is_served(demo_server: ServerProcess, rest: httpx.Client) -> None:
    say(rest, "hist-1", "bonjour")
    history = rest.get("/api/v1/conversations/hist-1").json()["history"]
    assert [entry["role"] for entry in history] == ["user", "bot"]
    assert rest.get("/api/v1/conversations/nobody").status_code == 404


def test_parse_returns_the_snips_json(demo_server: ServerProcess) -> None:
    result = httpx.post(f"{demo_server.url}/api/v1/parse", json={"text": "Vous ouvrez à quelle heure ?"}).json()
    assert result["input"] == "Vous ouvrez à quelle heure ?"
    assert result["intent"]["intentName"] == "horaires"
    assert isinstance(result["slots"], list) and len(result["alternatives"]) >= 1


def test_health_model_and_openapi(demo_server: ServerProcess) -> None:
    health = httpx.get(f"{demo_server.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    model = httpx.get(f"{demo_server.url}/api/v1/model").json()
    assert model["status"] == "ok" and health.json()["model"] == model["content_hash"][:12]
    schema = httpx.get(f"{demo_server.url}/openapi.json").json()
    assert "/api/v1/conversations/{session_id}/messages" in schema["paths"]
    assert httpx.get(f"{demo_server.url}/docs").status_code == 200


BAD_REQUESTS: dict[str, tuple[str, dict[str, Any], int, str]] = {
    "empty text": ("s1", {"json": {"text": ""}}, 422, "must not be empty"),
    "blank text": ("s1", {"json": {"text": "   \n"}}, 422, "must not be empty"),
    "zero-width text": ("s1", {"json": {"text": "\u200b\u200d"}}, 422, "must not be empty"),
    "text too long": ("s1", {"json": {"text": "a" * 1001}}, 422, "longer than 1000"),
    "missing text": ("s1", {"json": {}}, 422, "Field required"),
    "text not a string": ("s1", {"json": {"text": 12}}, 422, "valid string"),
    "unknown field": ("s1", {"json": {"text": "a", "x": 1}}, 422, "Extra inputs"),
    "bad JSON": ("s1", {"content": b"{nope", "headers": {"content-type": "application/json"}}, 422, "JSON"),
    "binary body": ("s1", {"content": bytes(range(256)), "headers": {"content-type": "application/json"}}, 422, "JSON"),
    "session id with a space": ("a b", {"json": {"text": "a"}}, 422, "pattern"),
    "session id with symbols": ("a;b", {"json": {"text": "a"}}, 422, "pattern"),
    "session id too long": ("x" * 65, {"json": {"text": "a"}}, 422, "pattern"),
    "huge body": ("s1", {"json": {"text": "a" * 100_000}}, 413, "larger than"),
}


def check_refused(client: httpx.Client, case: str) -> None:
    """The bad request ``case`` of BAD_REQUESTS gets its 4xx and a message that says why."""
    session, request, status, message = BAD_REQUESTS[case]
    reply = client.post(f"/api/v1/conversations/{session}/messages", **request)
    assert reply.status_code == status, reply.text
    assert message in reply.text


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_malformed_requests_get_a_clear_4xx(rest: httpx.Client, case: str) -> None:
    check_refused(rest, case)


@pytest.mark.parametrize(
    "text", ["a\x00\x01\x02", "a\ud83d", "<script>alert(1)</script>", "🙂" * 200, "' OR 1=1; --", "a\u202eb", "ﷺ" * 300]
)
def test_hostile_text_gets_an_answer(demo_server: ServerProcess, text: str) -> None:
    reply = httpx.post(
        f"{demo_server.url}/api/v1/conversations/hostile/messages",
        content=json.dumps({"text": text}).encode(),
        headers={"content-type": "application/json", **API_KEY_HEADERS},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["responses"]
