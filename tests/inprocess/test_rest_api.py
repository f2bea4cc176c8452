"""The REST channel, in process: conversations, history, parse and explain, health, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from nlu import load_bot
from tests.inprocess.conftest import SwapServices
from tests.support import DEMO_BOT, say
from tests.test_rest import BAD_REQUESTS, check_refused  # one table for both tiers

DEMO = load_bot(DEMO_BOT)


def responses_of(tag: str) -> list[str]:
    return DEMO.dataset.intent(tag).response_texts


def test_the_seed_conversation_keeps_its_context(client: TestClient) -> None:
    first = say(client, "seed", "je voudrais louer un scooter")
    assert first["session_id"] == "seed"
    assert first["intent"]["name"] == "location" and 0 < first["intent"]["probability"] <= 1
    assert first["responses"][0] in responses_of("location")
    assert first["contexts"] == ["jourlocation"]
    assert first["quick_replies"] == ["Aujourd'hui", "Plus tard"]
    second = say(client, "seed", "pour aujourd'hui")
    assert second["intent"]["name"] == "aujourd'hui"
    assert second["responses"][0] in responses_of("aujourd'hui")


def test_the_same_words_in_a_fresh_session_or_another_one_fall_back(client: TestClient) -> None:
    say(client, "alice", "je voudrais louer un scooter")
    bob = say(client, "bob", "pour aujourd'hui")
    assert bob["intent"] is None
    assert bob["responses"][0] in DEMO.config.fallback_responses
    assert say(client, "alice", "pour aujourd'hui")["intent"]["name"] == "aujourd'hui"


def test_history_is_served_then_forgotten_on_delete(client: TestClient) -> None:
    say(client, "history", "bonjour")
    conversation = client.get("/api/v1/conversations/history").json()
    assert conversation["session_id"] == "history"
    user, bot = conversation["history"]
    assert (user["role"], user["text"], bot["role"]) == ("user", "bonjour", "bot")
    assert bot["text"] in responses_of("salutation")
    assert client.delete("/api/v1/conversations/history").status_code == 204
    assert client.get("/api/v1/conversations/history").status_code == 404


def test_an_unknown_conversation_is_a_404(client: TestClient) -> None:
    reply = client.get("/api/v1/conversations/nobody")
    assert reply.status_code == 404
    assert "nobody" in reply.json()["detail"]


def test_parse_returns_the_snips_json_with_alternatives(client: TestClient) -> None:
    result = client.post("/api/v1/parse", json={"text": "Vous ouvrez à quelle heure ?"}).json()
    assert result["input"] == "Vous ouvrez à quelle heure ?"
    assert result["intent"]["intentName"] == "horaires"
    assert isinstance(result["slots"], list)
    assert result["alternatives"] and "explanation" not in result


def test_parse_reads_builtin_slots(client: TestClient) -> None:
    result = client.post("/api/v1/parse", json={"text": "combien coûte une location de trois jours ?"}).json()
    assert result["intent"]["intentName"] == "prix_location"
    assert [(slot["slotName"], slot["rawValue"]) for slot in result["slots"]] == [("duree", "trois jours")]


def test_explain_judges_contexts_as_in_the_conversation_without_changing_it(client: TestClient) -> None:
    say(client, "explained", "je voudrais louer un scooter")
    before = client.get("/api/v1/conversations/explained").json()
    in_context = client.post(
        "/api/v1/parse", params={"explain": "true", "session_id": "explained"}, json={"text": "pour aujourd'hui"}
    ).json()
    without = client.post("/api/v1/parse", params={"explain": "true"}, json={"text": "pour aujourd'hui"}).json()
    assert in_context["explanation"] != without["explanation"]
    assert "jourlocation" in json.dumps(in_context["explanation"])
    assert client.get("/api/v1/conversations/explained").json() == before


def test_health_model_and_openapi(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    model = client.get("/api/v1/model").json()
    assert model["status"] == "ok"
    assert health.json()["model"] == model["content_hash"][:12]
    schema = client.get("/openapi.json").json()
    assert "/api/v1/conversations/{session_id}/messages" in schema["paths"]


def test_the_demo_page_and_the_widget_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    script = client.get("/widget/causette-widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_malformed_requests_get_a_clear_4xx(client: TestClient, case: str) -> None:
    check_refused(client, case)


def chunks(size: int, count: int) -> Iterator[bytes]:
    """A request body streamed without a declared length."""
    yield b'{"text": "'
    for _ in range(count):
        yield b"a" * size
    yield b'"}'


def test_a_streamed_body_over_the_limit_is_refused_without_a_declared_length(client: TestClient) -> None:
    reply = client.post(
        "/api/v1/conversations/s1/messages", content=chunks(4096, 8), headers={"content-type": "application/json"}
    )
    assert reply.status_code == 413
    assert "larger than 16384" in reply.json()["detail"]


def test_a_streamed_body_under_the_limit_is_answered(client: TestClient) -> None:
    reply = client.post(
        "/api/v1/conversations/s1/messages", content=chunks(100, 2), headers={"content-type": "application/json"}
    )
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    "text", ["a\x00\x01\x02", "a\ud83d", "<script>alert(1)</script>", "🙂" * 200, "' OR 1=1; --", "a\u202eb", "ﷺ" * 300]
)
def test_hostile_text_gets_an_answer(client: TestClient, text: str) -> None:
    reply = client.post(
        "/api/v1/conversations/hostile/messages",
        content=json.dumps({"text": text}).encode(),
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["responses"]


def test_the_longest_message_follows_the_setting(client: TestClient, swap_services: SwapServices) -> None:
    swap_services(max_text_chars=20)
    refused = client.post("/api/v1/conversations/short/messages", json={"text": "je voudrais louer un scooter"})
    assert refused.status_code == 422 and "longer than 20" in refused.text
    assert client.post("/api/v1/parse", json={"text": "a" * 21}).status_code == 422
    assert say(client, "short", "bonjour")["responses"]
