"""A server whose Redis cannot be reached, in process: it starts, says it is not ready, loses nothing.

The store is the real Redis store, configured as an operator would, on a port where nothing
listens: what a server meets when its Redis is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, MINI_BOT, free_port


@pytest.fixture(scope="module")
def client(mini_model_dir: Path) -> Iterator[TestClient]:
    """The mini bot with sessions in a Redis that is down."""
    settings = Settings(model_dir=mini_model_dir, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with TestClient(create_app(MINI_BOT, settings), headers=API_KEY_HEADERS) as test_client:
        yield test_client


def test_health_says_not_ready(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"


def test_rest_turns_and_history_are_503_with_a_reason(client: TestClient) -> None:
    turn = client.post("/api/v1/conversations/down/messages", json={"text": "bonjour"})
    assert turn.status_code == 503 and turn.json()["detail"]
    assert client.get("/api/v1/conversations/down").status_code == 503


def test_parse_needs_no_session_and_still_answers(client: TestClient) -> None:
    result = client.post("/api/v1/parse", json={"text": "vous ouvrez à quelle heure ?"}).json()
    assert result["intent"]["intentName"] == "horaires"


def test_the_websocket_stays_open_and_answers_each_message_with_an_error_frame(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        assert ws.receive_json()["type"] == "welcome"
        history = ws.receive_json()
        assert (history["type"], history["code"]) == ("error", "store_unavailable")
        for number in range(2):
            ws.send_json({"type": "message", "text": "bonjour", "id": f"m{number}"})
            assert ws.receive_json() == {"type": "typing", "active": True}
            error = ws.receive_json()
            assert (error["code"], error["reply_to"]) == ("store_unavailable", f"m{number}")
            assert ws.receive_json() == {"type": "typing", "active": False}
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
