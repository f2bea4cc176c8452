"""Exactly-once turns through Redis: a message retried with the same ``message_id`` on another server
process (its client lost the first reply, or sent it to both at once) is applied once, and every
try gets the same recorded turn."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import MINI_BOT, RedisServer, ServerProcess

RETRIES = 20


@pytest.fixture(scope="module")
def two_servers(mini_model_dir: Path, redis_server: RedisServer) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes sharing one real Redis (the same prefix)."""
    env = {"CAUSETTE_REDIS_URL": redis_server.url, "CAUSETTE_REDIS_PREFIX": f"once-{uuid.uuid4().hex}"}
    first = ServerProcess(MINI_BOT, mini_model_dir, env=env)
    second = ServerProcess(MINI_BOT, mini_model_dir, env=env)
    yield first, second
    first.stop()
    second.stop()


async def send(client: httpx.AsyncClient, url: str, path: str, token: dict[str, str], body: dict[str, Any]) -> Any:
    reply = await client.post(f"{url}{path}", json=body, headers=token)
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_a_retried_message_id_is_applied_once_across_two_processes(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_servers
    async with httpx.AsyncClient(timeout=30) as client:
        opened = await client.post(f"{first.url}/api/v1/conversations", json={"text": "bonjour"})
        assert opened.status_code == 201, opened.text
        session_id = opened.json()["session_id"]
        token = {"X-Conversation-Token": opened.json()["conversation_token"]}
        path = f"/api/v1/conversations/{session_id}/messages"
        for attempt in range(RETRIES):
            body = {"text": f"au revoir {attempt}", "message_id": f"msg-{attempt}"}
            if attempt % 2:  # the reply was lost: the client retries on the other process
                replies = [await send(client, first.url, path, token, body)]
                replies.append(await send(client, second.url, path, token, body))
            else:  # the client (or a proxy) sent it to both processes at once
                replies = list(
                    await asyncio.gather(
                        send(client, first.url, path, token, body), send(client, second.url, path, token, body)
                    )
                )
            assert replies[0] == replies[1], f"attempt {attempt}: the retry got another turn"
        conversation = await client.get(f"{second.url}/api/v1/conversations/{session_id}", headers=token)
    said = [message["text"] for message in conversation.json()["history"] if message["role"] == "user"]
    assert said == ["bonjour", *(f"au revoir {attempt}" for attempt in range(RETRIES))]
