"""Hostile request bodies get the right 4xx with a body the OpenAPI schema describes, never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from channels.server.json_body import MAX_DEPTH

JSON = {"content-type": "application/json"}
ENDPOINTS = ["/api/v1/conversations/hostile/messages", "/api/v1/parse", "/api/v1/parse?explain=true"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        b'{"text": NaN}',
        b'{"text": Infinity}',
        b'{"text": -Infinity}',
        b'{"text": 1e999}',
        b'{"text": "ok", "x": [NaN]}',
        b'{"text": "ok", "x": -1e999}',
        b'{"text": ' + b"9" * 5000 + b"}",
    ],
)
def test_numbers_json_does_not_have_are_refused_with_422(client: TestClient, endpoint: str, body: bytes) -> None:
    reply = client.post(endpoint, content=body, headers=JSON)
    assert reply.status_code == 422, reply.text
    issue = reply.json()["detail"][0]
    assert issue["type"] == "json_invalid" and issue["loc"] == ["body"] and issue["msg"]


@pytest.mark.parametrize("depth", [MAX_DEPTH, 400, 5000])
def test_deep_nesting_is_refused_with_422(client: TestClient, depth: int) -> None:
    body = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    reply = client.post("/api/v1/conversations/hostile/messages", content=body, headers=JSON)
    assert reply.status_code == 422, reply.text
    assert "nested deeper" in reply.json()["detail"][0]["msg"]


def test_invalid_utf8_is_refused_with_422(client: TestClient) -> None:
    reply = client.post("/api/v1/parse", content=b'{"text": "caf\xe9"}', headers=JSON)
    assert reply.status_code == 422, reply.text
    assert "UTF-8" in reply.json()["detail"][0]["msg"]


def test_nesting_within_the_bound_reaches_validation(client: TestClient) -> None:
    inner = MAX_DEPTH - 1  # the object around them is a level too
    body = b'{"text": ' + b"[" * inner + b"]" * inner + b"}"
    reply = client.post("/api/v1/parse", content=body, headers=JSON)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["type"] == "string_type"  # pydantic's own refusal, not ours


def test_valid_json_with_ordinary_numbers_is_answered(client: TestClient) -> None:
    reply = client.post("/api/v1/parse", content=b'{"text": "louer un scooter 1.5e3"}', headers=JSON)
    assert reply.status_code == 200, reply.text
