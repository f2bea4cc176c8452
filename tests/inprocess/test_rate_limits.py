"""Rate limits, in process: per conversation and per address, over REST (429 + Retry-After) and the
WebSocket (an error frame, pings included; a client flooding on is closed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from channels import Settings, create_app
from channels.websocket import REFUSED_FRAMES_BEFORE_CLOSE
from tests.support import API_KEY_HEADERS, MINI_BOT

POLICY_VIOLATION = 1008


def limited_client(model_dir: Path, per_address: str, per_conversation: str) -> TestClient:
    settings = Settings(
        model_dir=model_dir,
        rate_limits=True,
        rate_limit_per_address=per_address,
        rate_limit_per_conversation=per_conversation,
    )
    return TestClient(create_app(MINI_BOT, settings), headers=API_KEY_HEADERS)


@pytest.fixture(scope="module")
def per_conversation(mini_model_dir: Path) -> Iterator[TestClient]:
    """Three requests per conversation and minute; addresses are left generous."""
    with limited_client(mini_model_dir, "1000/minute", "3/minute") as client:
        yield client


@pytest.fixture
def per_address(mini_model_dir: Path) -> Iterator[TestClient]:
    """Five requests per address and minute (a fresh app, so a fresh count, for each test)."""
    with limited_client(mini_model_dir, "5/minute", "1000/minute") as client:
        yield client


def post(client: TestClient, session: str) -> int:
    status: int = client.post(f"/api/v1/conversations/{session}/messages", json={"text": "bonjour"}).status_code
    return status


def test_a_conversation_over_its_limit_gets_429_with_retry_after(per_conversation: TestClient) -> None:
    assert [post(per_conversation, "busy") for _ in range(3)] == [200, 200, 200]
    refused = per_conversation.get("/api/v1/conversations/busy")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "conversation" in refused.json()["detail"]
    assert post(per_conversation, "calm") == 200  # other conversations are not affected


def test_explaining_in_a_conversation_counts_against_it(per_conversation: TestClient) -> None:
    for _ in range(3):
        assert per_conversation.delete("/api/v1/conversations/explained").status_code == 204
    reply = per_conversation.post("/api/v1/parse?explain=true&session_id=explained", json={"text": "bonjour"})
    assert reply.status_code == 429


def test_an_address_over_its_limit_gets_429_everywhere_but_health(per_address: TestClient) -> None:
    statuses = [per_address.get("/api/v1/conversations/nobody").status_code for _ in range(5)]
    assert statuses == [404] * 5
    for path in ("/api/v1/model", "/", "/widget/causette-widget.js"):
        reply = per_address.get(path)
        assert reply.status_code == 429 and "address" in reply.json()["detail"]
        assert int(reply.headers["retry-after"]) >= 1
    assert per_address.get("/healthz").status_code == 200  # load balancers' probes are never refused


def test_a_websocket_handshake_over_the_address_limit_is_refused(per_address: TestClient) -> None:
    for _ in range(5):
        per_address.get("/healthz")  # not counted
        per_address.get("/api/v1/model")
    with pytest.raises(WebSocketDenialResponse) as denied, per_address.websocket_connect("/api/v1/ws"):
        pass
    assert denied.value.status_code == 429 and int(denied.value.headers["retry-after"]) >= 1


def test_websocket_frames_and_pings_count_against_the_conversation(per_conversation: TestClient) -> None:
    with per_conversation.websocket_connect("/api/v1/ws?session_id=pinger") as ws:
        ws.receive_json(), ws.receive_json()  # welcome, history
        for _ in range(3):
            ws.send_json({"type": "ping"})
            assert ws.receive_json() == {"type": "pong"}
        ws.send_json({"type": "ping"})
        refused = ws.receive_json()
        assert refused["type"] == "error" and refused["code"] == "rate_limited"
        assert refused["retry_after"] >= 1 and "conversation" in refused["message"]
        ws.send_json({"type": "message", "text": "bonjour", "id": "m-5"})
        assert ws.receive_json()["reply_to"] == "m-5"  # a refused message is named, for the widget


def test_a_websocket_flooding_on_over_its_limit_is_closed(per_conversation: TestClient) -> None:
    with per_conversation.websocket_connect("/api/v1/ws?session_id=flooder") as ws:
        ws.receive_json(), ws.receive_json()
        for _ in range(3):
            ws.send_json({"type": "ping"})
            ws.receive_json()
        for _ in range(REFUSED_FRAMES_BEFORE_CLOSE):
            ws.send_json({"type": "ping"})
            assert ws.receive_json()["code"] == "rate_limited"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == POLICY_VIOLATION


def test_limits_are_on_by_default_and_off_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAUSETTE_RATE_LIMITS", raising=False)
    defaults = Settings()
    assert defaults.rate_limits is True
    assert defaults.rate_limit_per_address == "20/second;600/minute"
    assert defaults.rate_limit_per_conversation == "2/second;60/minute"
    monkeypatch.setenv("CAUSETTE_RATE_LIMITS", "off")
    assert Settings().rate_limits is False


def test_limits_off_let_everything_through(mini_model_dir: Path) -> None:
    settings = Settings(model_dir=mini_model_dir, rate_limits=False, rate_limit_per_conversation="1/minute")
    with TestClient(create_app(MINI_BOT, settings), headers=API_KEY_HEADERS) as client:
        assert [post(client, "free") for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("value", ["often", "5/fortnight", "0.5/second"])
def test_a_malformed_limit_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(ValueError, match="is not a list of rate limits"):
        Settings(rate_limit_per_address=value)
