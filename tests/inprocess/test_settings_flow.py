"""Settings flow from ``CAUSETTE_*`` variables through the app factory to every channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, MINI_BOT

SHOP = "https://shop.example"


@pytest.fixture(scope="module")
def strict_client(mini_model_dir: Path) -> Iterator[TestClient]:
    """The mini bot served with tight limits and one allowed origin, all read from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAUSETTE_MAX_BODY_BYTES", "1024")
        patch.setenv("CAUSETTE_MAX_TEXT_CHARS", "50")
        patch.setenv("CAUSETTE_WS_MAX_FRAME_BYTES", "512")
        patch.setenv("CAUSETTE_ALLOWED_ORIGINS", SHOP)
        settings = Settings(model_dir=mini_model_dir)
    with TestClient(create_app(MINI_BOT, settings), headers=API_KEY_HEADERS) as client:
        yield client


def test_the_body_limit_is_the_setting(strict_client: TestClient) -> None:
    reply = strict_client.post("/api/v1/conversations/s/messages", json={"text": "a" * 2000})
    assert reply.status_code == 413
    assert "larger than 1024" in reply.json()["detail"]


def test_the_longest_text_is_the_setting_on_rest_and_websocket(strict_client: TestClient) -> None:
    refused = strict_client.post("/api/v1/conversations/s/messages", json={"text": "a" * 51})
    assert refused.status_code == 422 and "longer than 50" in refused.text
    with strict_client.websocket_connect("/api/v1/ws") as ws:
        welcome = ws.receive_json()
        ws.receive_json()  # the history
        ws.send_json({"type": "message", "text": "a" * 51, "id": "long"})
        error = ws.receive_json()
    assert welcome["max_text_chars"] == 50
    assert (error["code"], error["reply_to"]) == ("text_too_long", "long")


def test_the_largest_frame_is_the_setting(strict_client: TestClient) -> None:
    with strict_client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()  # the welcome
        ws.receive_json()  # the history
        ws.send_text('{"type": "ping", "padding": "' + "a" * 600 + '"}')
        assert ws.receive_json()["code"] == "frame_too_large"


def test_only_the_configured_origins_open_the_websocket(strict_client: TestClient) -> None:
    with strict_client.websocket_connect("/api/v1/ws", headers={"origin": SHOP}) as ws:
        assert ws.receive_json()["type"] == "welcome"
    local = strict_client.websocket_connect("/api/v1/ws", headers={"origin": "http://localhost:3000"})
    with pytest.raises(WebSocketDisconnect), local:
        pass
