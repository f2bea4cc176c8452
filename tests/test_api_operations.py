"""What operators and visitors see of a running server: the start-up log, store outages, times, the model."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from channels import Settings, create_app
from nlu import Model
from tests.support import API_KEY_HEADERS, MINI_BOT, free_port, open_conversation, say

SERVER_LOG = "causette.server"
ADMIN_KEY = "operations-admin-key"


@pytest.fixture(scope="module")
def client(mini_model_dir: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(MINI_BOT, Settings(model_dir=mini_model_dir, admin_key=SecretStr(ADMIN_KEY))),
        headers=API_KEY_HEADERS,
    ) as client:
        yield client


def unreachable_redis_url() -> str:
    """A Redis URL, with a password, on a loopback port nothing listens on."""
    return f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"


def test_the_start_up_log_names_the_model_backend_and_store(
    mini_model_dir: Path, mini_model: Model, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SERVER_LOG)
    with TestClient(create_app(MINI_BOT, Settings(model_dir=mini_model_dir))):
        pass
    started = "\n".join(record.getMessage() for record in caplog.records if record.name == SERVER_LOG)
    assert str(mini_model_dir) in started
    assert mini_model.info.content_hash in started
    assert f"backend {mini_model.info.backend}" in started
    assert "sessions kept in this process's memory" in started
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_an_unreachable_redis_is_a_clear_warning_at_start(
    mini_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = unreachable_redis_url()
    caplog.set_level(logging.INFO, logger=SERVER_LOG)
    with TestClient(create_app(MINI_BOT, Settings(model_dir=mini_model_dir, redis_url=url))):
        pass
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "session store cannot be reached" in warnings[0]
    assert url.replace(":s3cret-pass@", "") in warnings[0]
    assert "s3cret-pass" not in caplog.text


@pytest.fixture(scope="module")
def store_down(mini_model_dir: Path) -> Iterator[TestClient]:
    settings = Settings(model_dir=mini_model_dir, redis_url=unreachable_redis_url(), redis_timeout_seconds=0.5)
    with TestClient(create_app(MINI_BOT, settings), headers=API_KEY_HEADERS) as client:
        yield client


def assert_no_internals(text: str) -> None:
    for internal in ("127.0.0.1", "Redis", "Error", "s3cret", "refused", "connect"):
        assert internal not in text, f"{internal!r} shown to a visitor: {text}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/conversations/s1/messages", {"text": "bonjour"}),
        ("GET", "/api/v1/conversations/s1", None),
        ("DELETE", "/api/v1/conversations/s1", None),
        ("POST", "/api/v1/parse?explain=true&session_id=s1", {"text": "bonjour"}),
    ],
)
def test_a_rest_503_hides_the_store_details(store_down: TestClient, method: str, path: str, body: object) -> None:
    reply = store_down.request(method, path, json=body)
    assert reply.status_code == 503
    assert reply.json()["detail"].startswith("session store unavailable")
    assert_no_internals(reply.text)


def test_websocket_store_errors_hide_the_store_details(store_down: TestClient) -> None:
    with store_down.websocket_connect("/api/v1/ws?session_id=s1") as socket:
        assert socket.receive_json()["type"] == "welcome"
        history = socket.receive_json()
        assert (history["type"], history["code"]) == ("error", "store_unavailable")
        assert_no_internals(history["message"])
        socket.send_json({"type": "message", "text": "bonjour", "id": "m1"})
        assert socket.receive_json() == {"type": "typing", "active": True}
        failed = socket.receive_json()
        assert (failed["code"], failed["reply_to"]) == ("store_unavailable", "m1")
        assert_no_internals(failed["message"])


def test_the_operator_log_keeps_the_store_details(store_down: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    store_down.post("/api/v1/conversations/s2/messages", json={"text": "bonjour"})
    assert any("session store unavailable" in r.getMessage() and "Redis" in r.getMessage() for r in caplog.records)


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with its UTC offset (``fromisoformat`` refuses anything else)."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"{text} has no time zone"
    return moment


def test_history_times_are_iso_8601_over_rest_and_websocket(client: TestClient) -> None:
    session_id, token = open_conversation(client, "bonjour")  # a visitor's, to replay on the WebSocket
    say(client, session_id, "je voudrais louer un scooter", headers=token)
    history = client.get(f"/api/v1/conversations/{session_id}", headers=token).json()["history"]
    rest_times = [parse_time(entry["at"]) for entry in history]
    assert len(rest_times) == 4 and rest_times == sorted(rest_times)
    with client.websocket_connect(f"/api/v1/ws?session_id={session_id}") as socket:
        socket.send_json({"type": "resume", "token": token["X-Conversation-Token"]})
        assert socket.receive_json()["type"] == "welcome"
        replayed = socket.receive_json()
    assert replayed["type"] == "history"
    assert [parse_time(entry["at"]) for entry in replayed["messages"]] == rest_times


def test_the_model_endpoint_serves_the_saved_model_info(client: TestClient, mini_model: Model) -> None:
    served = client.get("/api/v1/model", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    saved = mini_model.info.model_dump(mode="json")
    assert {name: served[name] for name in saved} == saved
    assert served["watching"] is False and served["reloading"] is None
