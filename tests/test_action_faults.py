"""Faults of an action server never break the conversation; the circuit breaker opens and closes.

Real processes: ``causette serve`` for a small bot, and an action server that misbehaves on purpose
(``tests/misbehaving_actions.py``), switched from one fault to the next. The bot's second action
points at a port where nothing listens (the server is down).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import API_KEY_HEADERS, ActionServerProcess, RedisServer, ServerProcess, free_port, run_cli, say

pytestmark = pytest.mark.e2e

UNAVAILABLE = "Le stock ne répond pas pour le moment, réessayez plus tard."
HOURS = "On est ouvert tous les jours de 9h à 19h."
INTENTS = {
    "intents": [
        {
            "tag": "dispo",
            "action": "disponibilite",
            "unavailable": [UNAVAILABLE],
            "patterns": [
                "un scooter est-il disponible ?",
                "vous avez un scooter de libre ?",
                "il reste des scooters ?",
                "est-ce qu'un scooter est libre ?",
                "scooter disponible ?",
                "disponibilité des scooters",
                "y a-t-il un scooter libre ?",
                "je voudrais savoir si un scooter est disponible",
            ],
        },
        {
            "tag": "suivi",
            "action": "suivi",
            "patterns": [
                "où en est ma réservation ?",
                "suivi de ma réservation",
                "ma réservation est confirmée ?",
                "je voudrais suivre ma réservation",
                "état de ma réservation",
                "statut de ma réservation",
            ],
        },
        {
            "tag": "horaires",
            "responses": [HOURS],
            "patterns": [
                "vous ouvrez à quelle heure ?",
                "quels sont vos horaires ?",
                "horaires",
                "c'est ouvert quand ?",
                "vous fermez à quelle heure ?",
                "jusqu'à quelle heure êtes-vous ouverts ?",
            ],
        },
    ]
}
ASK = "un scooter est-il disponible ?"
SECRET = "faults-secret"


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[ActionServerProcess]:
    server = ActionServerProcess("tests.misbehaving_actions")
    yield server
    server.stop()


def bot_folder(folder: Path, misbehaving: ActionServerProcess) -> Path:
    """The bot, its actions at the misbehaving server; 'suivi' at a port nobody listens on."""
    (folder / "intents.json").write_text(json.dumps(INTENTS, ensure_ascii=False), encoding="utf-8")
    (folder / "bot.toml").write_text(
        'name = "Pannes"\nresponse_seed = 1\n[actions]\n'
        f'url = "{misbehaving.actions_url}"\nsecret_env = "FAULTS_SECRET"\ntimeout_seconds = 1\n'
        "breaker_failures = 3\nbreaker_pause_seconds = 2\n"
        f'[actions.urls]\nsuivi = "http://127.0.0.1:{free_port()}/actions"\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, misbehaving: ActionServerProcess) -> Iterator[ServerProcess]:
    """The bot served, its actions at the misbehaving server."""
    folder = bot_folder(tmp_path_factory.mktemp("faults-bot"), misbehaving)
    server = ServerProcess(folder, folder / ".causette" / "model", env={"FAULTS_SECRET": SECRET})
    yield server
    server.stop()


@pytest.fixture
def client(bot: ServerProcess, misbehaving: ActionServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bot.url, timeout=30, headers=API_KEY_HEADERS) as http:
        yield http
    set_mode(misbehaving, "ok")


def set_mode(server: ActionServerProcess, mode: str) -> None:
    httpx.post(f"{server.url}/mode", json={"mode": mode}).raise_for_status()


def calls(server: ActionServerProcess) -> int:
    count: int = httpx.get(f"{server.url}/calls").json()["calls"]
    return count


def still_usable(client: httpx.Client, session: str, misbehaving: ActionServerProcess) -> None:
    """After a fault: the conversation answers, its history is whole, and the action works again."""
    assert say(client, session, "vous ouvrez à quelle heure ?")["responses"] == [HOURS]
    history = client.get(f"/api/v1/conversations/{session}").json()["history"]
    assert [entry["role"] for entry in history] == ["user", "bot", "user", "bot"]
    set_mode(misbehaving, "ok")
    again = say(client, session, ASK)
    assert again["responses"] == ["Action disponibilite : c'est fait."] and again["action"]["outcome"] == "ok"


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("slow", "timeout"),
        ("error", "http_status"),
        ("bad_json", "invalid_json"),
        ("schema", "invalid_response"),
        ("javascript_link", "invalid_response"),  # a button to javascript: is refused, never shown
        ("huge_text", "invalid_response"),  # 50,000 characters in one message
        ("huge_body", "too_large"),
    ],
)
def test_a_fault_gives_the_unavailable_answer_and_the_conversation_goes_on(
    client: httpx.Client, misbehaving: ActionServerProcess, mode: str, outcome: str
) -> None:
    session = f"fault-{mode.replace('_', '-')}"
    set_mode(misbehaving, mode)
    before = calls(misbehaving)
    turn = say(client, session, ASK)
    assert turn["responses"] == [UNAVAILABLE]
    assert turn["intent"]["name"] == "dispo"
    assert turn["action"]["name"] == "disponibilite"
    assert turn["action"]["outcome"] == outcome
    assert calls(misbehaving) == before + 1  # reached the server once: no retry after it answered or stalled
    still_usable(client, session, misbehaving)


def test_a_server_that_is_down_gives_the_french_default(client: httpx.Client, misbehaving: ActionServerProcess) -> None:
    turn = say(client, "down", "où en est ma réservation ?")
    assert turn["intent"]["name"] == "suivi"
    assert turn["responses"] == [
        "Désolé, je ne peux pas vous répondre sur ce point pour le moment. "
        "Pouvez-vous réessayer dans quelques instants ?"
    ]
    assert turn["action"]["outcome"] == "unreachable"
    still_usable(client, "down", misbehaving)


def test_hostile_markup_is_kept_as_text(client: httpx.Client, misbehaving: ActionServerProcess) -> None:
    set_mode(misbehaving, "markup")
    turn: dict[str, Any] = say(client, "markup", ASK)
    assert turn["action"]["outcome"] == "ok"
    assert turn["messages"] == [
        {
            "type": "text",
            "text": '<img src=x onerror="alert(1)"><b>gras</b><script>alert("x")</script>',
            "quick_replies": [],
        }
    ]


def test_the_breaker_opens_after_failures_and_closes_after_a_good_probe(
    client: httpx.Client, misbehaving: ActionServerProcess
) -> None:
    set_mode(misbehaving, "error")
    before = calls(misbehaving)
    outcomes = [say(client, "breaker", ASK)["action"]["outcome"] for _ in range(3)]
    assert outcomes == ["http_status"] * 3
    assert calls(misbehaving) == before + 3
    # Open: answered at once without calling the server, even once it is healthy again.
    set_mode(misbehaving, "ok")
    opened = say(client, "breaker", ASK)
    assert (opened["action"]["outcome"], opened["responses"]) == ("circuit_open", [UNAVAILABLE])
    assert calls(misbehaving) == before + 3
    time.sleep(2.5)  # the breaker's pause (breaker_pause_seconds = 2)
    probe = say(client, "breaker", ASK)
    assert probe["action"]["outcome"] == "ok" and calls(misbehaving) == before + 4
    closed = say(client, "breaker", ASK)
    assert closed["action"]["outcome"] == "ok" and calls(misbehaving) == before + 5


def test_a_failed_probe_opens_the_breaker_again(client: httpx.Client, misbehaving: ActionServerProcess) -> None:
    set_mode(misbehaving, "error")
    for _ in range(3):
        say(client, "probe", ASK)
    time.sleep(2.5)
    before = calls(misbehaving)
    assert say(client, "probe", ASK)["action"]["outcome"] == "http_status"  # the probe, failed
    assert say(client, "probe", ASK)["action"]["outcome"] == "circuit_open"
    assert calls(misbehaving) == before + 1
    set_mode(misbehaving, "ok")
    time.sleep(2.5)
    assert say(client, "probe", ASK)["action"]["outcome"] == "ok"


CONVERSATION_TEST = """conversations:
  - name: le stock répond
    turns:
      - user: un scooter est-il disponible ?
        action: disponibilite
        response: "Action disponibilite : c'est fait."
"""


def test_causette_test_calls_real_actions_only_when_asked(
    tmp_path: Path, misbehaving: ActionServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = bot_folder(tmp_path, misbehaving)
    (folder / "tests").mkdir()
    (folder / "tests" / "stock.yaml").write_text(CONVERSATION_TEST, encoding="utf-8")
    monkeypatch.setenv("FAULTS_SECRET", SECRET)
    set_mode(misbehaving, "ok")
    before = calls(misbehaving)
    offline = run_cli("test", folder)
    assert offline.returncode == 1, offline.stdout + offline.stderr
    assert "expected: an action_result for 'disponibilite'" in offline.stdout
    assert calls(misbehaving) == before  # no action_result declared, and still no call
    live = run_cli("test", folder, "--live-actions")
    assert live.returncode == 0, live.stdout + live.stderr
    assert calls(misbehaving) == before + 1


def test_a_slow_action_holds_its_conversation_in_redis_and_the_next_turn_waits(
    tmp_path: Path, misbehaving: ActionServerProcess, redis_server: RedisServer
) -> None:
    # The call runs inside the turn's transaction: a second message of the same conversation waits
    # for the lock (shorter than the wait), then finds the first turn whole in the history.
    folder = bot_folder(tmp_path, misbehaving)
    env = {"FAULTS_SECRET": SECRET, "CAUSETTE_REDIS_URL": redis_server.url, "CAUSETTE_REDIS_PREFIX": "actions-lock"}
    server = ServerProcess(folder, folder / ".causette" / "model", env=env)
    try:
        set_mode(misbehaving, "slow")
        with (
            httpx.Client(base_url=server.url, timeout=30, headers=API_KEY_HEADERS) as http,
            ThreadPoolExecutor(2) as pool,
        ):
            slow = pool.submit(say, http, "locked", ASK)
            time.sleep(0.3)  # the slow turn takes the lock first
            quick = pool.submit(say, http, "locked", "vous ouvrez à quelle heure ?")
            assert slow.result()["action"]["outcome"] == "timeout"
            assert quick.result()["responses"] == [HOURS]
            history = http.get("/api/v1/conversations/locked").json()["history"]
        assert [(entry["role"], entry["text"]) for entry in history] == [
            ("user", ASK),
            ("bot", UNAVAILABLE),
            ("user", "vous ouvrez à quelle heure ?"),
            ("bot", HOURS),
        ]
    finally:
        server.stop()
