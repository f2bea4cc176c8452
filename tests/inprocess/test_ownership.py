"""Conversations belong to someone, in process: a visitor's token, an API key's namespace, the admin
key; over REST (turn, history, erasure, contextual explanation) and the WebSocket (replay)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from channels import Settings, create_app
from channels.server.api_keys import new_key_entry
from tests.support import MINI_BOT, open_conversation, run_cli

ADMIN = "cle-admin-de-test-assez-longue"
NO_KEY = {"Authorization": ""}
CRM_KEY, CRM_ENTRY = new_key_entry("crm")
SMS_KEY, SMS_ENTRY = new_key_entry("sms")
CRM = {"Authorization": f"Bearer {CRM_KEY}"}
SMS = {"Authorization": f"Bearer {SMS_KEY}"}
AS_ADMIN = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def client(mini_model_dir: Path) -> Iterator[TestClient]:
    """The mini bot with two API keys and an admin key; the client sends no credentials itself."""
    settings = Settings(model_dir=mini_model_dir, api_keys=f"{CRM_ENTRY},{SMS_ENTRY}", admin_key=SecretStr(ADMIN))
    with TestClient(create_app(MINI_BOT, settings)) as test_client:
        yield test_client


def turn(client: TestClient, session_id: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(
        f"/api/v1/conversations/{session_id}/messages", json={"text": "bonjour", **body}, headers=headers
    )


def history(client: TestClient, session_id: str, headers: dict[str, str], query: str = "") -> Any:
    return client.get(f"/api/v1/conversations/{session_id}{query}", headers=headers)


def explain(client: TestClient, session_id: str, headers: dict[str, str]) -> Any:
    url = f"/api/v1/parse?explain=true&session_id={session_id}"
    return client.post(url, json={"text": "bonjour"}, headers=headers)


def texts(reply: Any) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [message["text"] for message in reply.json()["history"]]


def test_a_visitor_conversation_is_opened_by_the_server_with_a_token(client: TestClient) -> None:
    reply = client.post("/api/v1/conversations", json={"text": "bonjour"}, headers=NO_KEY)
    assert reply.status_code == 201, reply.text
    opened = reply.json()
    assert len(opened["conversation_token"]) >= 40 and opened["responses"]
    other = client.post("/api/v1/conversations", json={"text": "bonjour"}, headers=NO_KEY).json()
    assert other["session_id"] != opened["session_id"]
    assert other["conversation_token"] != opened["conversation_token"]


def test_only_the_token_holder_touches_a_visitor_conversation(client: TestClient) -> None:
    mine, owner = open_conversation(client, "bonjour")
    _, stranger = open_conversation(client, "bonjour")
    for ask in (turn, history, explain):
        assert ask(client, mine, owner).status_code == 200
        assert ask(client, mine, NO_KEY).status_code == 401
        refused = ask(client, mine, stranger)
        unknown = ask(client, "nobody-has-this-id", stranger)
        assert refused.status_code == unknown.status_code == 404  # a stranger cannot tell it exists
        assert refused.json()["detail"].replace(mine, "X") == unknown.json()["detail"].replace(
            "nobody-has-this-id", "X"
        )
    assert client.delete(f"/api/v1/conversations/{mine}", headers=NO_KEY).status_code == 401
    assert client.delete(f"/api/v1/conversations/{mine}", headers=stranger).status_code == 404
    assert len(texts(history(client, mine, owner))) == 4  # two turns: the stranger changed nothing
    assert client.delete(f"/api/v1/conversations/{mine}", headers=owner).status_code == 204
    assert history(client, mine, owner).status_code == 404


def test_a_visitor_cannot_open_a_conversation_of_its_choosing(client: TestClient) -> None:
    _, token = open_conversation(client, "bonjour")
    assert turn(client, "mon-choix", token).status_code == 404
    assert turn(client, "mon-choix", {"Authorization": "Bearer not-a-key"}).status_code == 401


def test_api_keys_choose_their_ids_and_never_share_a_conversation(client: TestClient) -> None:
    assert turn(client, "alice", CRM, text="bonjour").status_code == 200
    assert turn(client, "alice", SMS, text="salut").status_code == 200
    assert texts(history(client, "alice", CRM))[0] == "bonjour"
    assert texts(history(client, "alice", SMS))[0] == "salut"
    _, visitor = open_conversation(client, "bonjour")
    assert history(client, "alice", visitor).status_code == 404
    assert turn(client, "alice", visitor).status_code == 404
    assert client.delete("/api/v1/conversations/alice", headers=SMS).status_code == 204
    assert texts(history(client, "alice", CRM))[0] == "bonjour"  # crm's alice is untouched


def test_the_admin_key_reads_and_erases_any_conversation_but_speaks_in_none(client: TestClient) -> None:
    visitor_id, _ = open_conversation(client, "bonjour")
    assert texts(history(client, visitor_id, AS_ADMIN))[0] == "bonjour"
    assert turn(client, "bob", CRM).status_code == 200
    assert history(client, "bob", AS_ADMIN).status_code == 404  # not a visitor's conversation
    assert texts(history(client, "bob", AS_ADMIN, "?owner_key=crm"))[0] == "bonjour"
    assert explain(client, visitor_id, AS_ADMIN).status_code == 200
    assert turn(client, visitor_id, AS_ADMIN).status_code == 403
    assert client.post("/api/v1/conversations", json={"text": "bonjour"}, headers=AS_ADMIN).status_code == 403
    assert client.delete("/api/v1/conversations/bob?owner_key=crm", headers=AS_ADMIN).status_code == 204
    assert history(client, "bob", CRM).status_code == 404


def test_a_revoked_key_is_refused(mini_model_dir: Path) -> None:
    settings = Settings(model_dir=mini_model_dir, api_keys=SMS_ENTRY)  # crm's entry removed
    with TestClient(create_app(MINI_BOT, settings)) as revoked:
        assert turn(revoked, "alice", CRM).status_code == 401
        assert turn(revoked, "alice", SMS).status_code == 200


def test_a_retried_message_id_gets_the_recorded_turn_and_is_applied_once(client: TestClient) -> None:
    session_id, token = open_conversation(client, "bonjour")
    first = turn(client, session_id, token, text="au revoir", message_id="m-1")
    again = turn(client, session_id, token, text="au revoir", message_id="m-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert texts(history(client, session_id, token)).count("au revoir") == 1
    assert turn(client, session_id, token, text="au revoir", message_id="m-2").status_code == 200
    assert texts(history(client, session_id, token)).count("au revoir") == 2


def greeting(ws: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    welcome, replay = ws.receive_json(), ws.receive_json()
    assert (welcome["type"], replay["type"]) == ("welcome", "history")
    return welcome, replay


def say(ws: Any, text: str, message_id: str | None = None) -> dict[str, Any]:
    ws.send_json({"type": "message", "text": text, "id": "f", "message_id": message_id})
    frames = [ws.receive_json() for _ in range(3)]  # typing, the answer, typing
    answer: dict[str, Any] = frames[1]
    return answer


def test_only_the_token_holder_replays_a_websocket_conversation(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        opened, _ = greeting(ws)
        say(ws, "bonjour")
    session_id, token = opened["session_id"], opened["token"]
    _, stranger = open_conversation(client, "bonjour")
    for first_frame in (
        {"type": "resume", "token": stranger["X-Conversation-Token"]},
        {"type": "resume", "token": "x" * 43},
        {"type": "ping"},
    ):
        with client.websocket_connect(f"/api/v1/ws?session_id={session_id}") as ws:
            ws.send_json(first_frame)
            welcome, replay = greeting(ws)
        assert welcome["session_id"] != session_id and welcome["token"]  # a new conversation instead
        assert replay["messages"] == []
    with client.websocket_connect(f"/api/v1/ws?session_id={session_id}") as ws:
        ws.send_json({"type": "resume", "token": token})
        welcome, replay = greeting(ws)
        assert welcome["session_id"] == session_id
        assert replay["messages"][0]["text"] == "bonjour"
        assert say(ws, "au revoir", message_id="w-1") == say(ws, "au revoir", message_id="w-1")
    owner = {**NO_KEY, "X-Conversation-Token": token}
    assert texts(history(client, session_id, owner)).count("au revoir") == 1
    assert history(client, session_id, stranger).status_code == 404


def test_apikey_new_prints_a_key_and_the_entry_that_admits_it(mini_model_dir: Path) -> None:
    done = run_cli("apikey", "new", "gateway")
    assert done.returncode == 0, done.stderr
    key, entry = done.stdout.split()
    with TestClient(create_app(MINI_BOT, Settings(model_dir=mini_model_dir, api_keys=entry))) as served:
        assert turn(served, "0612345678", {"Authorization": f"Bearer {key}"}).status_code == 200
    assert run_cli("apikey", "new", "not a name").returncode == 2


def test_only_the_owner_and_the_admin_export_a_conversation(mini_model_dir: Path, tmp_path: Path) -> None:
    settings = Settings(
        model_dir=mini_model_dir,
        admin_key=SecretStr(ADMIN),
        database_url=f"sqlite:///{tmp_path / 'log.sqlite3'}",
    )
    with TestClient(create_app(MINI_BOT, settings)) as served:
        mine, owner = open_conversation(served, "bonjour")
        _, stranger = open_conversation(served, "bonjour")
        export = f"/api/v1/conversations/{mine}/export"
        assert served.get(export, headers=owner).status_code == 200
        assert served.get(export, headers=AS_ADMIN).status_code == 200
        assert served.get(export, headers=stranger).status_code == 404
        assert served.get(export, headers=NO_KEY).status_code == 401
