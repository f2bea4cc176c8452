"""Parsing and explaining run in the worker threads, never on the event loop: a long message or an
explanation does not stall the other conversations, the WebSocket pings or /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.server.services import Services
from nlu import ParseResult


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def parse_calls(demo_app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """For each call of the served model's parse, whether it ran on the event loop's thread."""
    services: Services = demo_app.state.services
    model = services.brains.current.model
    parse: Callable[..., ParseResult] = model.parse
    calls: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> ParseResult:
        calls.append(on_event_loop())
        return parse(*args, **kwargs)

    monkeypatch.setattr(model, "parse", watched)
    yield calls


def test_rest_turns_parse_off_the_event_loop(client: TestClient, parse_calls: list[bool]) -> None:
    assert client.post("/api/v1/conversations/threads/messages", json={"text": "bonjour"}).status_code == 200
    assert parse_calls == [False]


def test_explanations_run_off_the_event_loop(client: TestClient, parse_calls: list[bool]) -> None:
    reply = client.post("/api/v1/parse?explain=true", json={"text": "je voudrais louer un scooter bleu"})
    assert reply.status_code == 200 and reply.json()["explanation"]["words"]
    assert len(parse_calls) > 2 and not any(parse_calls)  # the parse, then one per word left out


def test_websocket_turns_parse_off_the_event_loop(client: TestClient, parse_calls: list[bool]) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json(), ws.receive_json()
        ws.send_json({"type": "message", "text": "bonjour", "id": "m"})
        while ws.receive_json()["type"] != "bot":
            pass
    assert parse_calls == [False]


def test_the_pool_has_the_configured_size(demo_app: FastAPI) -> None:
    services: Services = demo_app.state.services
    assert services.engine.parse_threads.total_tokens == services.settings.parse_workers == 4
