"""The log behind the REST API and the WebSocket, in process, on SQLite and on a real PostgreSQL:
1,000 turns recorded once each, in order, masked; export and erasure; the analytics endpoint."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from channels import Settings, create_app
from conversation_log import LogDatabase, export_conversation
from tests.support import API_KEY_HEADERS, BENCH_API_KEY_ENTRY, MINI_BOT, free_port, say

API_KEY_NAME = BENCH_API_KEY_ENTRY.split(":")[0]  # "bench"

KEY = "cle-du-journal-de-test"
ADMIN = {"Authorization": f"Bearer {KEY}"}
BOT = "Mini scooters"
# What visitors write, personal data included; what the log must hold instead.
SAID = [
    ("bonjour", "bonjour"),
    ("je voudrais louer un scooter", "je voudrais louer un scooter"),
    ("pour aujourd'hui, appelez-moi au 06 12 34 56 78", "pour aujourd'hui, appelez-moi au <TELEPHONE>"),
    ("vous ouvrez à quelle heure ?", "vous ouvrez à quelle heure ?"),
    ("mon mail est marie.dupont@exemple.fr", "mon mail est <EMAIL>"),
]


def served(log_url: str, model_dir: Path, **settings: Any) -> TestClient:
    app = create_app(
        MINI_BOT, Settings(model_dir=model_dir, database_url=log_url, admin_key=SecretStr(KEY), **settings)
    )
    # The tests' API key: a server-to-server channel that chooses its conversations' ids, which the
    # store (and so the log) keeps under the key's name.
    return TestClient(app, headers=API_KEY_HEADERS)


def stored(conversation: str) -> str:
    """The id under which the store and the log keep the tests' API key's ``conversation``."""
    return f"{API_KEY_NAME}.{conversation}"


def without_credentials(client: TestClient) -> TestClient:
    """A client of the same app that sends no key (the app is already started by ``client``)."""
    return TestClient(client.app)


def logged(log_url: str, conversation: str) -> dict[str, list[dict[str, Any]]]:
    async def read() -> dict[str, list[dict[str, Any]]]:
        database = LogDatabase(log_url)
        try:
            return await export_conversation(database, BOT, conversation)
        finally:
            await database.dispose()

    return asyncio.run(read())


def all_turns(log_url: str, conversations: list[str]) -> list[dict[str, Any]]:
    rows = [row for conversation in conversations for row in logged(log_url, conversation)["turns"]]
    return sorted(rows, key=lambda row: row["id"])


def test_1000_turns_over_rest_are_each_recorded_once_in_order_and_masked(log_url: str, mini_model_dir: Path) -> None:
    conversations = [f"visiteur-{number}" for number in range(10)]
    sent: list[tuple[str, int, str]] = []
    with served(log_url, mini_model_dir, log_batch_size=50) as client:
        for number in range(1000):
            conversation = conversations[number % 10]
            text, masked = SAID[(number // 10) % len(SAID)]
            assert say(client, conversation, text)["session_id"] == conversation
            sent.append((stored(conversation), number // 10 + 1, masked))
    # The lifespan ended (a graceful shutdown): whatever was still buffered has been written.
    rows = all_turns(log_url, [stored(conversation) for conversation in conversations])
    assert [(row["conversation_id"], row["turn_number"], row["text"]) for row in rows] == sent
    assert len({row["event_id"] for row in rows}) == 1000
    assert {row["channel"] for row in rows} == {"rest"}
    kept = str([(row["parse"], row["reply"]) for row in rows])
    assert "06 12 34 56 78" not in kept and "marie.dupont" not in kept
    assert "<TELEPHONE>" in kept and "<EMAIL>" in kept
    first = rows[0]
    assert first["parse"]["intent"]["intentName"] == first["intent"] and first["reply"]["responses"]
    assert first["model_hash"] and first["latency_ms"] > 0


def test_export_needs_the_admin_key_and_gives_the_session_and_the_log(log_url: str, mini_model_dir: Path) -> None:
    with served(log_url, mini_model_dir) as client:
        for visitor in ("alice", "bob", "chloe"):
            say(client, visitor, f"bonjour, ici {visitor}@exemple.fr")
            say(client, visitor, "vous ouvrez à quelle heure ?")
        assert without_credentials(client).get("/api/v1/conversations/bob/export").status_code == 401
        assert (
            client.get("/api/v1/conversations/bob/export", headers={"Authorization": "Bearer faux"}).status_code == 401
        )
        _wait_written(client, 6)
        export = client.get(f"/api/v1/conversations/bob/export?owner_key={API_KEY_NAME}", headers=ADMIN)
        assert export.status_code == 200, export.text
        body = export.json()
        assert [entry["text"] for entry in body["session"] if entry["role"] == "user"] == [
            "bonjour, ici bob@exemple.fr",
            "vous ouvrez à quelle heure ?",
        ]
        assert [row["text"] for row in body["log"]["turns"]] == ["bonjour, ici <EMAIL>", "vous ouvrez à quelle heure ?"]
        assert body["log"]["action_calls"] == [] and body["log"]["handoff_events"] == []


def test_delete_erases_the_session_and_the_records_of_one_conversation(log_url: str, mini_model_dir: Path) -> None:
    with served(log_url, mini_model_dir) as client:
        for visitor in ("alice", "bob", "chloe"):
            for text, _ in SAID[:3]:
                say(client, visitor, text)
        _wait_written(client, 9)
        assert client.delete("/api/v1/conversations/bob").status_code == 204  # by the key that owns it
        body = client.get(f"/api/v1/conversations/bob/export?owner_key={API_KEY_NAME}", headers=ADMIN).json()
        assert body == {
            "session_id": "bob",
            "session": None,
            "log": {"turns": [], "action_calls": [], "handoff_events": []},
        }
        assert client.get("/api/v1/conversations/bob").status_code == 404
    assert len(logged(log_url, stored("alice"))["turns"]) == 3 and len(logged(log_url, stored("chloe"))["turns"]) == 3
    assert logged(log_url, stored("bob"))["turns"] == []


def test_analytics_endpoint_and_log_status(log_url: str, mini_model_dir: Path) -> None:
    with served(log_url, mini_model_dir) as client:
        say(client, "a", "vous ouvrez à quelle heure ?")
        say(client, "b", "xqzv blorf")
        with client.websocket_connect("/api/v1/ws?session_id=c") as socket:
            socket.receive_json(), socket.receive_json()  # welcome, history
            socket.send_json({"type": "message", "text": "vous ouvrez à quelle heure ?"})
            while socket.receive_json()["type"] != "bot":
                pass
        _wait_written(client, 3)
        assert without_credentials(client).get("/api/v1/analytics").status_code == 401
        figures = client.get("/api/v1/analytics", headers=ADMIN).json()
        assert (figures["conversations"], figures["messages"], figures["bot"]) == (3, 3, BOT)
        assert figures["fallback_rate"] == pytest.approx(1 / 3)
        assert (figures["handoff_rate"], figures["action_failures"]) == (0, 0)
        assert figures["top_intents"] == [{"intent": "horaires", "turns": 2}]
        assert {c["channel"]: c["turns"] for c in figures["per_channel"]} == {"rest": 2, "websocket": 1}
        assert client.get("/api/v1/analytics?since=2999-01-01", headers=ADMIN).json()["messages"] == 0
        refused = client.get("/api/v1/analytics?since=hier", headers=ADMIN)
        assert refused.status_code == 422
        empty = client.get("/api/v1/analytics?since=2026-12-02&until=2026-12-01", headers=ADMIN)
        assert empty.status_code == 200 and empty.json()["messages"] == 0  # an empty period, not an error
        status = client.get("/api/v1/conversation-log", headers=ADMIN).json()
        assert (status["written"], status["dropped"], status["pending"], status["database_up"]) == (3, 0, 0, True)


def test_with_the_log_off_nothing_is_recorded_and_its_endpoints_say_so(tmp_path: Path, mini_model_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    with served(url, mini_model_dir, conversation_log=False) as client:
        say(client, "a", "bonjour")
        assert client.delete("/api/v1/conversations/a").status_code == 204
        reply = client.get("/api/v1/analytics", headers=ADMIN)
        assert reply.status_code == 404 and "CAUSETTE_CONVERSATION_LOG" in reply.json()["detail"]
    # The database may exist (the consoles' accounts live in it), but holds no record of the turn.
    if (tmp_path / "log.sqlite3").exists():
        with sqlite3.connect(tmp_path / "log.sqlite3") as database:
            tables = {row[0] for row in database.execute("select name from sqlite_master where type = 'table'")}
            assert "turns" not in tables or database.execute("select count(*) from turns").fetchone() == (0,)


def _wait_written(client: TestClient, turns: int) -> None:
    """Until the writer has stored ``turns`` events (it writes in the app's event loop)."""
    status: dict[str, Any] = {}
    for _ in range(500):
        status = client.get("/api/v1/conversation-log", headers=ADMIN).json()
        if status["written"] >= turns:
            return
        time.sleep(0.01)
    raise AssertionError(f"the log wrote {status} of {turns} turns")


def test_with_the_log_database_unreachable_turns_answer_and_the_log_endpoints_say_503(mini_model_dir: Path) -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/causette"  # nothing listens: refused at once
    with served(nowhere, mini_model_dir, log_retry_seconds=0.05) as client:
        for _ in range(3):
            say(client, "visiteur", "vous ouvrez à quelle heure ?")
        status = client.get("/api/v1/conversation-log", headers=ADMIN).json()
        assert (status["migrated"], status["database_up"], status["pending"], status["dropped"]) == (False, False, 3, 0)
        for reply in (
            client.delete("/api/v1/conversations/visiteur"),
            client.get(f"/api/v1/conversations/visiteur/export?owner_key={API_KEY_NAME}", headers=ADMIN),
            client.get("/api/v1/analytics", headers=ADMIN),
        ):
            assert reply.status_code == 503, reply.text
            assert reply.json() == {"detail": "conversation log unavailable, try again in a moment"}
